"""The people named on a restricted case (GET, POST /cases/{id}/named-people/, DELETE
/cases/{id}/named-people/{user_id}/): listed to those who see the case, changed by its named
managers through cases.services.restricted."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from accounts.api.authentication import actor_of
from accounts.choices import Role
from accounts.models import User
from cases.models import CaseNamedUser
from cases.policy import case_get
from cases.selectors import case as case_selectors
from cases.services import restricted


class NamedPersonSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, source="user.role", read_only=True)
    agency = serializers.IntegerField(source="user.agency_id", read_only=True, allow_null=True)
    named_by = serializers.IntegerField(source="named_by_id", read_only=True, allow_null=True)

    class Meta:
        model = CaseNamedUser
        fields = ["user", "username", "full_name", "role", "agency", "named_by", "named_at"]
        read_only_fields = fields


class NamePersonSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class NamedPeopleView(APIView):
    """Who sees a restricted case. Listing needs sight of the case (404 otherwise); naming
    needs to be its owner or her supervisor, named on it (403), on a restricted case (409)."""

    @extend_schema(responses=NamedPersonSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case, _access = case_get(actor_of(request), case_id)
        people = case_selectors.case_named_people(case=case)
        return Response(NamedPersonSerializer(people, many=True).data)

    @extend_schema(request=NamePersonSerializer, responses={201: NamedPersonSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        """Names a person on the restricted case, so that they see it: for its owner and the owner's
        supervisor, themselves named on it (403 otherwise); 409 when the case is not restricted.
        Only active case-handling people of the case's agency, of the office overseeing its place,
        or working on it through a referral can be named (400); naming someone already named changes
        nothing."""
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        data = NamePersonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = data.validated_data["user"]
        row = restricted.case_name_person(actor=actor, case=case, person=person)
        return Response(NamedPersonSerializer(row).data, status=status.HTTP_201_CREATED)


class NamedPersonView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, case_id: int, user_id: int) -> Response:
        """Takes a person off the restricted case, which from then on answers 404 to them: for its
        owner and the owner's supervisor, named on it (403 otherwise). 409 when the case is not
        restricted or the person is its owner (assign the case to someone else first); 400 when they
        are not named on it."""
        actor = actor_of(request)
        case, _access = case_get(actor, case_id)
        person = accounts_selectors.person(user_id)
        if person is None:
            raise Http404("No such person.")
        restricted.case_unname_person(actor=actor, case=case, person=person)
        return Response(status=status.HTTP_204_NO_CONTENT)
