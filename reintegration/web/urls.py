from django.urls import URLPattern, URLResolver, path

from reintegration.web import case_tab, follow_ups

urlpatterns: list[URLPattern | URLResolver] = [
    path("", follow_ups.follow_up_list, name="follow-up-list-page"),
    path("sw.js", follow_ups.visits_service_worker, name="follow-up-worker"),
    path("<int:pk>/", follow_ups.follow_up_detail, name="follow-up-page"),
    path("<int:pk>/complete/", follow_ups.follow_up_complete, name="follow-up-complete-page"),
    path("<int:pk>/reschedule/", follow_ups.follow_up_reschedule, name="follow-up-reschedule-page"),
]

# The placements tab's forms, under the case's address (the tab is the case file's).
case_urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/placements/add/", case_tab.case_placement_add, name="case-placement-add"),
    path(
        "<int:pk>/reintegrations/add/",
        case_tab.case_reintegration_add,
        name="case-reintegration-add",
    ),
]
