from django.urls import URLPattern, URLResolver, path

from referrals import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("directory/", views.directory, name="service-directory-page"),
]
