from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep.
        from cases import reminders  # noqa: F401, PLC0415
