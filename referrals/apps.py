from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        # Registers this app's reminder source with the sweep, and its tabs with the case file.
        from referrals.web import case_tab, custody_tab  # noqa: F401, PLC0415
