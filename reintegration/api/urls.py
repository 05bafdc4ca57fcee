from django.urls import URLPattern, URLResolver, path

from reintegration.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<int:case_id>/placements/",
        views.PlacementListView.as_view(),
        name="case-placement-list",
    ),
    path(
        "cases/<int:case_id>/reintegration/",
        views.ReintegrationView.as_view(),
        name="case-reintegration",
    ),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-up-list"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="follow-up-detail"),
    path(
        "follow-ups/<int:pk>/complete/",
        views.FollowUpCompleteView.as_view(),
        name="follow-up-complete",
    ),
    path(
        "follow-ups/<int:pk>/reschedule/",
        views.FollowUpRescheduleView.as_view(),
        name="follow-up-reschedule",
    ),
]
