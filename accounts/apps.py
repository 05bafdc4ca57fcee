from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        # Signing in and out records the session on the person's list of signed-in sessions.
        from accounts import signals  # noqa: PLC0415

        signals.connect()
