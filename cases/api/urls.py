"""Cases, and what is recorded under a case: named people, plans, services, notes, consent
and risk assessments."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from cases.api import named_people, records_views, risk_views, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path(
        "cases/<int:case_id>/named-people/",
        named_people.NamedPeopleView.as_view(),
        name="case-named-people",
    ),
    path(
        "cases/<int:case_id>/named-people/<int:user_id>/",
        named_people.NamedPersonView.as_view(),
        name="case-named-person",
    ),
    path(
        "cases/<int:case_id>/case-plans/",
        records_views.CasePlanListView.as_view(),
        name="case-plan-list",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/",
        records_views.CasePlanDetailView.as_view(),
        name="case-plan-detail",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/submit/",
        records_views.CasePlanSubmitView.as_view(),
        name="case-plan-submit",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/approve/",
        records_views.CasePlanApproveView.as_view(),
        name="case-plan-approve",
    ),
    path(
        "cases/<int:case_id>/case-plans/<int:pk>/reject/",
        records_views.CasePlanRejectView.as_view(),
        name="case-plan-reject",
    ),
    path(
        "cases/<int:case_id>/services/",
        records_views.CaseServiceListView.as_view(),
        name="case-service-list",
    ),
    path(
        "cases/<int:case_id>/services/<int:pk>/",
        records_views.CaseServiceDetailView.as_view(),
        name="case-service-detail",
    ),
    path(
        "cases/<int:case_id>/notes/",
        records_views.CaseNoteListView.as_view(),
        name="case-note-list",
    ),
    path(
        "cases/<int:case_id>/consents/",
        records_views.ConsentListView.as_view(),
        name="case-consent-list",
    ),
    path(
        "cases/<int:case_id>/consents/<int:pk>/withdraw/",
        records_views.ConsentWithdrawView.as_view(),
        name="case-consent-withdraw",
    ),
    path(
        "risk-instruments/current/",
        risk_views.CurrentRiskInstrumentView.as_view(),
        name="risk-instrument-current",
    ),
    path(
        "cases/<int:case_id>/risk-assessments/",
        risk_views.RiskAssessmentViewSet.as_view({"get": "list", "post": "create"}),
        name="case-risk-assessment-list",
    ),
    path(
        "cases/<int:case_id>/risk-assessments/<int:pk>/",
        risk_views.RiskAssessmentViewSet.as_view({"get": "retrieve"}),
        name="case-risk-assessment-detail",
    ),
]
