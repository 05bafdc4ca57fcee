"""Referrals, the service directory, custody transfers and the supervisor's queue.

``referrals/queue/`` cannot be taken for a referral's detail: those routes match digits only."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from referrals.api import custody, directory, queue, views

router = SimpleRouter()
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("service-directory/", directory.ServiceDirectoryView.as_view(), name="service-directory"),
    path(
        "cases/<int:case_id>/custody-transfers/",
        custody.CustodyTransferListView.as_view(),
        name="case-custody-transfer-list",
    ),
    path("referrals/queue/", queue.ReferralQueueView.as_view(), name="referral-queue"),
]
