from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and webhooks"

    def ready(self) -> None:
        # Registers the reminder sweep's Celery task with the worker.
        from notifications import reminders  # noqa: F401, PLC0415
