from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("locations", views.LocationViewSet, basename="location")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("users/me/", views.MeView.as_view(), name="user-me"),
    *router.urls,
]
