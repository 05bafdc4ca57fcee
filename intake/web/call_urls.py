"""The helpline's call log page, under /calls/."""

from django.urls import URLPattern, path

from intake.web import calls

urlpatterns: list[URLPattern] = [
    path("", calls.call_log, name="helpline-call-page"),
]
