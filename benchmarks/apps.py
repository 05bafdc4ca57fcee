from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Management commands only: no models, no URLs in the production URLconf."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
