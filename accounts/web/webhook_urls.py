from django.urls import URLPattern, path

from accounts.web import webhooks

urlpatterns: list[URLPattern] = [
    path("", webhooks.webhook_list, name="manage-webhooks"),
    path("new/", webhooks.webhook_new, name="manage-webhook-new"),
    path("<int:pk>/", webhooks.webhook_page, name="manage-webhook"),
    path(
        "<int:pk>/rotate-secret/",
        webhooks.webhook_rotate_secret,
        name="manage-webhook-rotate-secret",
    ),
    path("<int:pk>/delete/", webhooks.webhook_delete, name="manage-webhook-delete"),
    path(
        "<int:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        webhooks.webhook_redeliver,
        name="manage-webhook-redeliver",
    ),
]
