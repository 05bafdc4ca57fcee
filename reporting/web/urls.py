from django.urls import URLPattern, URLResolver, path

from reporting.web import caseload, dashboard, reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("", dashboard.dashboard, name="statistics-page"),
    path("caseload/", caseload.caseload_page, name="caseload-page"),
    path("reports/", reports.reports_page, name="reports-page"),
]
