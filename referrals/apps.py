from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep.
        from referrals import reminders  # noqa: F401, PLC0415
