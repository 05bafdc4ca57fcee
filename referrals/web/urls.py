from django.urls import URLPattern, URLResolver, path

from referrals.web import directory, queue, referrals

urlpatterns: list[URLPattern | URLResolver] = [
    path("", referrals.referral_list, name="referral-list-page"),
    path("new/", referrals.referral_new, name="referral-new-page"),
    path("queue/", queue.referral_queue, name="referral-queue-page"),
    path("directory/", directory.directory, name="service-directory-page"),
    path("<int:pk>/", referrals.referral_detail, name="referral-page"),
    path("<int:pk>/<slug:action>/", referrals.referral_act, name="referral-act"),
]
