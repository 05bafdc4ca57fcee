from django.urls import URLPattern, URLResolver, path

from cases.api import risk_views

assessments = risk_views.RiskAssessmentViewSet

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "risk-instruments/current/",
        risk_views.CurrentRiskInstrumentView.as_view(),
        name="risk-instrument-current",
    ),
    path(
        "cases/<int:case_id>/risk-assessments/",
        assessments.as_view({"get": "list", "post": "create"}),
        name="case-risk-assessment-list",
    ),
    path(
        "cases/<int:case_id>/risk-assessments/<int:pk>/",
        assessments.as_view({"get": "retrieve"}),
        name="case-risk-assessment-detail",
    ),
]
