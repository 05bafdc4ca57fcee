from django.urls import URLPattern, URLResolver, path

from legal.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<int:case_id>/legal-proceedings/",
        views.LegalProceedingListView.as_view(),
        name="case-legal-proceeding-list",
    ),
    path(
        "cases/<int:case_id>/legal-proceedings/<int:pk>/",
        views.LegalProceedingDetailView.as_view(),
        name="case-legal-proceeding-detail",
    ),
    path(
        "cases/<int:case_id>/legal-proceedings/<int:pk>/hearings/",
        views.HearingListView.as_view(),
        name="case-legal-hearing-list",
    ),
]
