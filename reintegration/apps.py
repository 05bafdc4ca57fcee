from django.apps import AppConfig


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = "Placements, reintegration and follow-ups"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep, and its placements tab with
        # the case file.
        from reintegration.web import case_tab  # noqa: F401, PLC0415
