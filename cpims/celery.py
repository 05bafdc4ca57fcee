"""The Celery application. Tasks live in each app's ``tasks.py`` and wrap services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpims.settings")

app = Celery("cpims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
