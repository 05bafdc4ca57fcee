from django.urls import URLPattern, URLResolver, path

from imports.web import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.import_list, name="import-list-page"),
    path("template/<str:template_format>/", views.import_template, name="import-template-page"),
    path("<int:pk>/", views.import_page, name="import-page"),
]
