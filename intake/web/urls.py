"""The intake pages: reporting a child at risk, the office's queue, a report; the helpline's
call log."""

from django.urls import URLPattern, path

from intake.web import reports

urlpatterns: list[URLPattern] = [
    path("", reports.report_list, name="concern-report-list-page"),
    path("new/", reports.report_new, name="concern-report-new-page"),
    path("<int:pk>/", reports.report_detail, name="concern-report-page"),
    path("<int:pk>/close/", reports.report_close, name="concern-report-close-page"),
    path("<int:pk>/open-case/", reports.report_open_case, name="concern-report-open-case-page"),
]
