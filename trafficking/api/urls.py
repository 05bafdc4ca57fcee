from django.urls import URLPattern, path

from trafficking.api import views

urlpatterns: list[URLPattern] = [
    path(
        "cases/<int:case_id>/victim-identifications/",
        views.VictimIdentificationListView.as_view(),
        name="case-identification-list",
    ),
    path(
        "cases/<int:case_id>/repatriations/",
        views.RepatriationListView.as_view(),
        name="case-repatriation-list",
    ),
    path(
        "cases/<int:case_id>/repatriations/<int:pk>/",
        views.RepatriationDetailView.as_view(),
        name="case-repatriation-detail",
    ),
    path(
        "cases/<int:case_id>/repatriations/<int:pk>/advance/",
        views.RepatriationAdvanceView.as_view(),
        name="case-repatriation-advance",
    ),
    path("crossings/", views.CrossingListView.as_view(), name="crossing-list"),
]
