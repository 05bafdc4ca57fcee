from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from cases.api import named_people, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path(
        "cases/<int:case_id>/named-people/",
        named_people.NamedPeopleView.as_view(),
        name="case-named-people",
    ),
    path(
        "cases/<int:case_id>/named-people/<int:user_id>/",
        named_people.NamedPersonView.as_view(),
        name="case-named-person",
    ),
]
