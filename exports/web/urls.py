from django.urls import URLPattern, URLResolver, path

from exports.web import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.export_list, name="export-list-page"),
    path("new/", views.export_new, name="export-new-page"),
    path("<int:pk>/", views.export_page, name="export-page"),
    path("<int:pk>/download/", views.export_download, name="export-download-page"),
]
