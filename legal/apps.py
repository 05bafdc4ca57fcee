from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = "Legal proceedings"

    def ready(self) -> None:
        # Registers this app's reminder source (hearing_due) with the sweep, and its tab with
        # the case file.
        from legal import reminders  # noqa: F401, PLC0415
        from legal.web import case_tab  # noqa: F401, PLC0415
