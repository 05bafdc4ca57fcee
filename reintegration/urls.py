from django.urls import URLPattern, URLResolver, path

from reintegration import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.follow_up_list, name="follow-up-list-page"),
    path("<int:pk>/", views.follow_up_detail, name="follow-up-page"),
    path("<int:pk>/complete/", views.follow_up_complete, name="follow-up-complete-page"),
    path("<int:pk>/reschedule/", views.follow_up_reschedule, name="follow-up-reschedule-page"),
]
