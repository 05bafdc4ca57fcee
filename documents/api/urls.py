from django.urls import URLPattern, URLResolver, path

from documents.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<int:case_id>/documents/",
        views.DocumentListView.as_view(),
        name="case-document-list",
    ),
    path(
        "cases/<int:case_id>/documents/<int:pk>/",
        views.DocumentDetailView.as_view(),
        name="case-document-detail",
    ),
    path(
        "cases/<int:case_id>/documents/<int:pk>/download/",
        views.DocumentDownloadView.as_view(),
        name="case-document-download",
    ),
    path(
        "cases/<int:case_id>/documents/<int:pk>/withdraw/",
        views.DocumentWithdrawView.as_view(),
        name="case-document-withdraw",
    ),
]
