from django.urls import URLPattern, path

from accounts.web import manage

urlpatterns: list[URLPattern] = [
    path("users/", manage.user_list, name="manage-users"),
    path("users/new/", manage.user_new, name="manage-user-new"),
    path("users/<int:pk>/", manage.user_page, name="manage-user"),
    path("users/<int:pk>/<slug:action>/", manage.user_action, name="manage-user-action"),
    path("agencies/", manage.agency_list, name="manage-agencies"),
    path("agencies/new/", manage.agency_new, name="manage-agency-new"),
    path("agencies/<int:pk>/", manage.agency_page, name="manage-agency"),
]
