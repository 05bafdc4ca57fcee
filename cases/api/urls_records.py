"""Case plans, services, notes and consent, under a case."""

from django.urls import URLPattern, URLResolver, path

from cases.api import records_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<int:case_id>/case-plans/", views.CasePlanListView.as_view(), name="case-plan-list"
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/",
        views.CasePlanDetailView.as_view(),
        name="case-plan-detail",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/submit/",
        views.CasePlanSubmitView.as_view(),
        name="case-plan-submit",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/approve/",
        views.CasePlanApproveView.as_view(),
        name="case-plan-approve",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/reject/",
        views.CasePlanRejectView.as_view(),
        name="case-plan-reject",
    ),
    path(
        "cases/<int:case_id>/services/",
        views.CaseServiceListView.as_view(),
        name="case-service-list",
    ),
    path(
        "cases/<int:case_id>/services/<int:pk>/",
        views.CaseServiceDetailView.as_view(),
        name="case-service-detail",
    ),
    path("cases/<int:case_id>/notes/", views.CaseNoteListView.as_view(), name="case-note-list"),
    path(
        "cases/<int:case_id>/consents/", views.ConsentListView.as_view(), name="case-consent-list"
    ),
    path(
        "cases/<int:case_id>/consents/<int:pk>/withdraw/",
        views.ConsentWithdrawView.as_view(),
        name="case-consent-withdraw",
    ),
]
