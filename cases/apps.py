from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep, and its tabs with the case file.
        from accounts.events import user_deactivated  # noqa: PLC0415
        from cases import reminders  # noqa: PLC0415
        from cases.web import tabs  # noqa: F401, PLC0415

        # A deactivated worker's supervisor is asked to move the cases the worker leaves.
        user_deactivated.connect(reminders.deactivation_told, dispatch_uid="cases-deactivation")
