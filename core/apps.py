from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # ``__any_of`` on keys (a case's own and those pointing to one) and on texts
        # (permission codenames, place paths): core.lookups.
        from django.db.models import BigAutoField, CharField, ForeignKey  # noqa: PLC0415

        from core.lookups import AnyOf  # noqa: PLC0415

        BigAutoField.register_lookup(AnyOf)
        ForeignKey.register_lookup(AnyOf)
        CharField.register_lookup(AnyOf)

        from django.db.backends.signals import connection_created  # noqa: PLC0415

        from core.timestamps import load_timestamps_in_c  # noqa: PLC0415

        connection_created.connect(load_timestamps_in_c, dispatch_uid="core.timestamps")
