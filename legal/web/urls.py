from django.urls import URLPattern, path

from legal.web import case_tab

# The legal pages' forms, under the case's address (the tab is the case file's).
case_urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/proceedings/add/",
        case_tab.proceeding_add,
        name="case-legal-proceeding-add",
    ),
    path(
        "<int:pk>/proceedings/<int:proceeding_id>/change/",
        case_tab.proceeding_change,
        name="case-legal-proceeding-change",
    ),
    path(
        "<int:pk>/proceedings/<int:proceeding_id>/hearings/add/",
        case_tab.hearing_add,
        name="case-legal-hearing-add",
    ),
    path(
        "<int:pk>/proceedings/<int:proceeding_id>/hearings/<int:hearing_id>/reschedule/",
        case_tab.hearing_reschedule,
        name="case-legal-hearing-reschedule",
    ),
]
