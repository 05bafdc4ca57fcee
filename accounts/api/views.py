from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.authentication import actor_of
from accounts.api.filters import LocationFilter
from accounts.api.permissions import EditsAgencies, EditsDirectoryOrReadOnly, ManagesUsers
from accounts.api.serializers import (
    AgencySerializer,
    AgencyWriteSerializer,
    CredentialsSerializer,
    LocationCreateSerializer,
    LocationSerializer,
    MeSerializer,
    PreferencesSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.models import Agency, ApiToken, Location, User
from core.api.conditional import etag, expected_version
from core.api.schema import honours_if_match, sends_etag, signs_in
from core.ids import ID_REGEX


class TokenView(APIView):
    """Exchange a username and password for a bearer token. Failed attempts count towards the
    account lockout shared with the login page."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=CredentialsSerializer, responses={200: TokenSerializer})
    @signs_in
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.token_issue(request=request._request, **data.validated_data)
        return Response(TokenSerializer(issued).data)


class TokenRevokeView(APIView):
    """Revoke the bearer token this request is made with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise PermissionDenied("Only a request made with a bearer token can revoke it.")
        services.token_revoke(actor=actor_of(request), token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        """The caller's own account: who they are, their role, agency, place and supervisor, and
        their preferences."""
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=PreferencesSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        """One's own preferences: ``preferred_language`` and ``email_delivery``
        (``immediate``, ``digest`` or ``none``)."""
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        me = services.user_set_preferences(actor=actor_of(request), **data.validated_data)
        return Response(MeSerializer(me).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    """People. System admins manage everybody, agency admins the people of their agency;
    anybody else sees only their own record."""

    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated, ManagesUsers]
    queryset = User.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["role", "agency", "is_active"]

    def get_queryset(self) -> QuerySet[User]:
        return selectors.users_visible_to(actor_of(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": actor_of(self.request)}

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request: Request) -> Response:
        """Creates an account: system admins for any agency, agency admins for their own agency and
        never a system admin; 403 for anybody else. A password the password rules refuse answers
        400; the creation goes into the audit trail."""
        data = UserCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=actor_of(request), **data.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @sends_etag
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One account, with its ``ETag``: system admins read anybody's, agency admins those of
        their agency, everybody else only their own; any other answers 404."""
        user = self.get_object()
        return Response(self.get_serializer(user).data, headers={"ETag": etag(user)})

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    @honours_if_match
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edits an account (name, email, role, agency, place, supervisor, whether it is active, its
        password): system admins anybody's, agency admins their own agency's and never to make a
        system admin (403); nobody changes their own role or deactivates themselves (403). A stale
        ``If-Match`` answers 412; deactivating an account or setting its password revokes its API
        tokens."""
        data = UserUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        # Outside the caller's reach is 404; the service locks the row and checks the rest.
        user = get_object_or_404(self.get_queryset(), pk=pk)
        user = services.user_update(
            actor=actor_of(request),
            user=user,
            expected_version=expected_version(request, user.pk),
            **data.validated_data,
        )
        return Response(UserSerializer(user).data, headers={"ETag": etag(user)})


class AgencyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Agency]
):
    """The agencies and what they offer where: readable by every signed-in user (referrals are
    built from it), created and edited by system admins, and each agency's offer by its admin."""

    serializer_class = AgencySerializer
    permission_classes = [IsAuthenticated, EditsAgencies]
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["type"]

    def get_queryset(self) -> QuerySet[Agency]:
        return selectors.agency_list()

    @extend_schema(request=AgencyWriteSerializer, responses={201: AgencySerializer})
    def create(self, request: Request) -> Response:
        """Adds an agency to the directory, with the services it offers, the places it covers and
        whether its referrals need a supervisor's approval: system admins only (403). The creation
        goes into the audit trail."""
        data = AgencyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = services.agency_create(actor=actor_of(request), **data.validated_data)
        # Read back as the list reads it, so both answer with the same order of services.
        return Response(
            AgencySerializer(selectors.agency_list().get(pk=agency.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @sends_etag
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One agency of the directory, with its services and coverage and its ``ETag``: readable by
        everybody signed in."""
        agency = self.get_object()
        return Response(self.get_serializer(agency).data, headers={"ETag": etag(agency)})

    @extend_schema(request=AgencyWriteSerializer, responses=AgencySerializer)
    @honours_if_match
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edits an agency, its services and coverage, whether its referrals need approval, or
        whether it is active (an inactive one takes no referrals): system admins; an agency admin
        edits her own agency's services, coverage and approval rule, and nothing else (403). A stale
        ``If-Match`` answers 412; the change goes into the audit trail."""
        agency = get_object_or_404(self.get_queryset(), pk=pk)
        data = AgencyWriteSerializer(agency, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        agency = services.agency_update(
            actor=actor_of(request),
            agency=agency,
            expected_version=expected_version(request, agency.pk),
            **data.validated_data,
        )
        # Read back as the list reads it, so both answer with the same order of services.
        return Response(
            AgencySerializer(selectors.agency_list().get(pk=agency.pk)).data,
            headers={"ETag": etag(agency)},
        )


@extend_schema_view(
    retrieve=extend_schema(
        description="One place of the gazetteer: its code, Khmer and English names, level and "
        "parent. Readable by everybody signed in."
    )
)
class LocationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Location]
):
    """The gazetteer: provinces, districts, communes and villages with Khmer and English names."""

    serializer_class = LocationSerializer
    permission_classes = [IsAuthenticated, EditsDirectoryOrReadOnly]
    filterset_class = LocationFilter
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Location]:
        return selectors.location_list()

    @extend_schema(request=LocationCreateSerializer, responses={201: LocationSerializer})
    def create(self, request: Request) -> Response:
        """Adds a place to the gazetteer, under a parent of the level above (a district under a
        province, and so on; 400 otherwise): system admins only (403). The creation goes into the
        audit trail."""
        data = LocationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = services.location_create(actor=actor_of(request), **data.validated_data)
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)
