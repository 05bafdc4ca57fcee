"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from cpims.runtime import freeze_loaded_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpims.settings")

application = get_asgi_application()
freeze_loaded_application()
