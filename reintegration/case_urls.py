"""The placements tab's forms, under the case's address (the tab itself is the case file's)."""

from django.urls import URLPattern, URLResolver, path

from reintegration import case_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/placements/add/", case_views.case_placement_add, name="case-placement-add"),
    path(
        "<int:pk>/reintegrations/add/",
        case_views.case_reintegration_add,
        name="case-reintegration-add",
    ),
]
