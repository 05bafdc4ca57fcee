from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from accounts.api import webhook_views

router = SimpleRouter()
router.register("webhooks", webhook_views.WebhookEndpointViewSet, basename="webhook")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "webhooks/<int:pk>/deliveries/",
        webhook_views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    *router.urls,
]
