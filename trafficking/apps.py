from django.apps import AppConfig


class TraffickingConfig(AppConfig):
    name = "trafficking"
    verbose_name = "Trafficking: victim identification and repatriation"

    def ready(self) -> None:
        # Registers this app's reminder sources with the sweep, and its tab with the case file.
        from cases.events import concerns_written  # noqa: PLC0415
        from trafficking import reminders  # noqa: PLC0415
        from trafficking.web import case_tab  # noqa: F401, PLC0415

        # A case whose concerns now name trafficking waits for its victim identification.
        concerns_written.connect(
            reminders.watch_trafficking_cases, dispatch_uid="trafficking-identification-watch"
        )
