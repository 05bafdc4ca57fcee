from django.urls import URLPattern, path

from trafficking.web import case_tab

# The trafficking tab's forms, under the case's address (the tab is the case file's).
case_urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/identifications/add/",
        case_tab.identification_add,
        name="case-identification-add",
    ),
    path(
        "<int:pk>/repatriations/add/",
        case_tab.repatriation_add,
        name="case-repatriation-add",
    ),
    path(
        "<int:pk>/repatriations/<int:repatriation_id>/advance/",
        case_tab.repatriation_advance,
        name="case-repatriation-advance-page",
    ),
]
