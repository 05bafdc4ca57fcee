from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep, and its tabs with the case file.
        from cases import reminders  # noqa: F401, PLC0415
        from cases.web import tabs  # noqa: F401, PLC0415
