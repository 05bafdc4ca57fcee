from django.urls import URLPattern, URLResolver, path

from imports.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", views.ImportCreateView.as_view(), name="import-list"),
    path("imports/template/", views.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
]
