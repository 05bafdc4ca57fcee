"""The service directory, custody transfers and the supervisor's queue.

``referrals/queue/`` cannot be taken for a referral's detail: those routes match digits only."""

from django.urls import URLPattern, URLResolver, path

from referrals.api import extra_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("service-directory/", views.ServiceDirectoryView.as_view(), name="service-directory"),
    path(
        "cases/<int:case_id>/custody-transfers/",
        views.CustodyTransferListView.as_view(),
        name="case-custody-transfer-list",
    ),
    path("referrals/queue/", views.ReferralQueueView.as_view(), name="referral-queue"),
]
