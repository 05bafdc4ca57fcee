from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake: children reported at risk and helpline calls"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep.
        from intake import reminders  # noqa: F401, PLC0415
