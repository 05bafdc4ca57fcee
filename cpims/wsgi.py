"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from cpims.runtime import freeze_loaded_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpims.settings")

application = get_wsgi_application()
freeze_loaded_application()
