"""The production URLconf plus the naive baseline, for the benchmark only (it switches to this
URLconf while it measures the baseline)."""

from django.urls import URLPattern, URLResolver, include, path

from benchmarks.naive import naive_routes

NAIVE_PREFIX = "benchmark/naive/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(NAIVE_PREFIX, include(naive_routes())),
    path("", include("cpims.urls")),
]
