"""Statistics, the caseload and the standard reports.

``statistics/caseload/`` comes before the topics, which it would otherwise be taken for."""

from django.urls import URLPattern, URLResolver, path

from reporting.api import reports, statistics

urlpatterns: list[URLPattern | URLResolver] = [
    path("statistics/caseload/", statistics.CaseloadView.as_view(), name="statistics-caseload"),
    path("statistics/<str:topic>/", statistics.StatisticsView.as_view(), name="statistics"),
    path("reports/", reports.ReportListView.as_view(), name="report-list"),
    path("reports/<str:code>/", reports.ReportView.as_view(), name="report"),
]
