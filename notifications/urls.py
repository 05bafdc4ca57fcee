from django.urls import URLPattern, URLResolver, path

from notifications import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_list, name="notification-list-page"),
    path("<int:pk>/open/", views.notification_open, name="notification-open-page"),
    path("read-all/", views.notification_read_all, name="notification-read-all-page"),
]
