"""The case pages, under /cases/."""

from django.urls import URLPattern, URLResolver, path

from cases import named_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="case-list-page"),
    path("new/", views.case_new, name="case-new-page"),
    path("places/", views.case_places, name="case-places"),
    path("<int:pk>/", views.case_file, name="case-page"),
    path("<int:pk>/print/", views.case_print, name="case-print-page"),
    path("<int:pk>/edit/", views.case_edit, name="case-edit-page"),
    path("<int:pk>/named/", named_views.case_named_people, name="case-named-page"),
    path("<int:pk>/do/<slug:action>/", views.case_act, name="case-act"),
    path("<int:pk>/notes/add/", views.case_note_add, name="case-note-add"),
    path("<int:pk>/services/add/", views.case_service_add, name="case-service-add"),
    path(
        "<int:pk>/services/<int:service_id>/status/",
        views.case_service_status,
        name="case-service-status",
    ),
    path("<int:pk>/consent/add/", views.case_consent_add, name="case-consent-add"),
    path(
        "<int:pk>/consent/<int:consent_id>/withdraw/",
        views.case_consent_withdraw,
        name="case-consent-withdraw-page",
    ),
    path("<int:pk>/risk/new/", views.case_risk_new, name="case-risk-new-page"),
    path("<int:pk>/risk/<int:assessment_id>/", views.case_risk_result, name="case-risk-page"),
    path("<int:pk>/plan/new/", views.case_plan_new, name="case-plan-new-page"),
    path("<int:pk>/plan/<int:plan_id>/edit/", views.case_plan_edit, name="case-plan-edit-page"),
    path(
        "<int:pk>/plan/<int:plan_id>/<slug:decision>/",
        views.case_plan_decide,
        name="case-plan-decide",
    ),
    path("<int:pk>/<slug:tab>/", views.case_file, name="case-tab"),
]
