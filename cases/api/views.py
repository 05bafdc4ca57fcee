from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from accounts.api.authentication import actor_of
from cases import selectors
from cases.api.filters import CaseFilter
from cases.api.serializers import CaseSerializer
from cases.models import Case


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Case]):
    """Cases the caller may see; any other case answers 404, as a missing one does."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()  # for the schema; requests use get_queryset()
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list(user=actor_of(self.request))

    def get_object(self) -> Case:
        return selectors.case_detail(user=actor_of(self.request), case_id=self.kwargs["pk"])
