"""Community and helpline intake: children reported at risk, and the helpline's calls."""

from django.urls import URLPattern, path

from intake.api import calls, reports

urlpatterns: list[URLPattern] = [
    path("concern-reports/", reports.ConcernReportListView.as_view(), name="concern-report-list"),
    path(
        "concern-reports/<int:pk>/",
        reports.ConcernReportDetailView.as_view(),
        name="concern-report-detail",
    ),
    path(
        "concern-reports/<int:pk>/open-case/",
        reports.ConcernReportOpenCaseView.as_view(),
        name="concern-report-open-case",
    ),
    path(
        "concern-reports/<int:pk>/close/",
        reports.ConcernReportCloseView.as_view(),
        name="concern-report-close",
    ),
    path("calls/", calls.HelplineCallListView.as_view(), name="helpline-call-list"),
]
