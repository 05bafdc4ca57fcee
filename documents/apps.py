from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Case documents"

    def ready(self) -> None:
        # Registers this app's tab with the case file.
        from documents.web import case_tab  # noqa: F401, PLC0415
