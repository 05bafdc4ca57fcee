"""The CPIMS project: settings, URL map, Celery app and the pages that gather each app's work."""

from cpims.celery import app as celery_app

__all__ = ["celery_app"]
