"""The case pages, under /cases/."""

from django.urls import URLPattern, URLResolver, path

from cases.web import (
    case_file,
    lifecycle,
    lists,
    named,
    plans,
    printing,
    reassign,
    records,
    registration,
    risk,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.case_list, name="case-list-page"),
    path("new/", registration.case_new, name="case-new-page"),
    path("places/", registration.case_places, name="case-places"),
    path(
        "workers/<int:worker_id>/reassign/",
        reassign.case_reassign,
        name="case-reassign-page",
    ),
    path("<int:pk>/", case_file.case_file, name="case-page"),
    path("<int:pk>/print/", printing.case_print, name="case-print-page"),
    path("<int:pk>/print/pdf/", printing.case_print_pdf, name="case-print-pdf"),
    path("<int:pk>/edit/", lifecycle.case_edit, name="case-edit-page"),
    path("<int:pk>/named/", named.case_named_people, name="case-named-page"),
    path("<int:pk>/do/<slug:action>/", lifecycle.case_act, name="case-act"),
    path("<int:pk>/notes/add/", records.case_note_add, name="case-note-add"),
    path("<int:pk>/services/add/", records.case_service_add, name="case-service-add"),
    path(
        "<int:pk>/services/<int:service_id>/status/",
        records.case_service_status,
        name="case-service-status",
    ),
    path("<int:pk>/consent/add/", records.case_consent_add, name="case-consent-add"),
    path(
        "<int:pk>/consent/<int:consent_id>/withdraw/",
        records.case_consent_withdraw,
        name="case-consent-withdraw-page",
    ),
    path("<int:pk>/risk/new/", risk.case_risk_new, name="case-risk-new-page"),
    path("<int:pk>/risk/preview/", risk.case_risk_preview, name="case-risk-preview-page"),
    path("<int:pk>/risk/<int:assessment_id>/", risk.case_risk_result, name="case-risk-page"),
    path("<int:pk>/plan/new/", plans.case_plan_new, name="case-plan-new-page"),
    path("<int:pk>/plan/<int:plan_id>/edit/", plans.case_plan_edit, name="case-plan-edit-page"),
    path(
        "<int:pk>/plan/<int:plan_id>/<slug:decision>/",
        plans.case_plan_decide,
        name="case-plan-decide",
    ),
    path("<int:pk>/<slug:tab>/", case_file.case_file, name="case-tab"),
]
