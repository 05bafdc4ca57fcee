from django.urls import URLPattern, URLResolver, path

from referrals import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.referral_list, name="referral-list-page"),
    path("new/", views.referral_new, name="referral-new-page"),
    path("queue/", views.referral_queue, name="referral-queue-page"),
    path("directory/", views.directory, name="service-directory-page"),
    path("<int:pk>/", views.referral_detail, name="referral-page"),
    path("<int:pk>/<slug:action>/", views.referral_act, name="referral-act"),
]
