from django.urls import URLPattern, URLResolver, path

from exports.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<int:pk>/download/",
        views.ExportDownloadView.as_view(),
        name="export-download",
    ),
]
