from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from accounts.api import views, webhook_views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("locations", views.LocationViewSet, basename="location")
router.register("webhooks", webhook_views.WebhookEndpointViewSet, basename="webhook")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("users/me/", views.MeView.as_view(), name="user-me"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhook_views.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        webhook_views.WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
    *router.urls,
]
