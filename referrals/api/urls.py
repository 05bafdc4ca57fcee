from rest_framework.routers import SimpleRouter

from referrals.api import views

router = SimpleRouter()
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls
