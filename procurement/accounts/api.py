"""API of the parties: token, the caller, public cities, organisations' private members."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.accounts.models import City, Membership, Network, Supplier
from procurement.accounts.selectors import (
    api_tokens_of_user,
    city_get_for_user,
    organisation_members,
    public_cities,
    supplier_get_for_user,
    user_memberships,
)
from procurement.accounts.services import api_token_issue, api_token_revoke
from procurement.core.api import ModelSerializer
from procurement.core.exceptions import ApplicationError


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="The 6-digit code of the user's authenticator app; required when the user "
        "turned the second factor on.",
    )


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token …``).

    A user who turned the second factor on also sends the code of the authenticator app as
    ``otp``; each call issues a new token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = api_token_issue(
            request=request,
            username=data["username"],
            password=data["password"],
            otp=data.get("otp", ""),
        )
        return Response({"token": key})


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="token_key",
        help_text="The token's first characters: enough to recognise it, never enough to use it.",
    )
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(
        allow_null=True, help_text="When it ends unless used before; each use pushes it on."
    )
    current = serializers.SerializerMethodField(
        help_text="Whether this is the token of this request."
    )

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return auth is not None and getattr(auth, "digest", None) == token.digest


class LogoutView(APIView):
    """End the token this request is sent with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if not isinstance(request.auth, AuthToken):
            raise ApplicationError(
                _("This request carries no API token: log out of the web pages instead.")
            )
        api_token_revoke(actor=request.user, user=request.user, token_id=request.auth.token_key)
        return Response(status=204)


class ApiTokenListView(ListAPIView):
    """The caller's API tokens that have not expired, newest first."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_of_user(user=self.request.user)


class ApiTokenRevokeView(APIView):
    """End one of the caller's API tokens."""

    @extend_schema(responses={204: None})
    def delete(self, request, token_id: str):
        api_token_revoke(actor=request.user, user=request.user, token_id=token_id)
        return Response(status=204)


class OrganisationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class MembershipSerializer(ModelSerializer):
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["role", "organisation"]

    def get_organisation(self, membership) -> dict:
        org = membership.organisation
        return {"kind": membership.kind, "id": org.pk, "name": org.name, "slug": org.slug}


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    is_superuser = serializers.BooleanField()
    organisation = OrganisationSerializer(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    """Who the caller is, which organisation they act for and in which roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = user_memberships(user=user)
        primary = user.primary_membership
        organisation = None
        roles: list[str] = []
        if primary is not None:
            org = primary.organisation
            organisation = {"kind": primary.kind, "id": org.pk, "name": org.name, "slug": org.slug}
            roles = [m.role for m in memberships if m.organisation == org]
        data = {
            "username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "is_superuser": user.is_superuser,
            "organisation": organisation,
            "roles": roles,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)


class NetworkSerializer(ModelSerializer):
    class Meta:
        model = Network
        fields = ["id", "name", "slug"]


class CitySerializer(ModelSerializer):
    networks = NetworkSerializer(many=True, read_only=True)

    class Meta:
        model = City
        fields = [
            "id",
            "name",
            "slug",
            "country",
            "region",
            "timezone",
            "currency",
            "language",
            "networks",
        ]


class CityListView(ListAPIView):
    """Member cities: public."""

    permission_classes = [AllowAny]
    serializer_class = CitySerializer

    def get_queryset(self):
        return public_cities()


class CityDetailView(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = CitySerializer

    def get_queryset(self):
        return public_cities()


class MemberSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")

    class Meta:
        model = Membership
        fields = ["username", "name", "role"]


class CityMembersView(ListAPIView):
    """The people of a city and their roles: only the city's own members see them."""

    serializer_class = MemberSerializer
    pagination_class = None

    def get_queryset(self):
        city = city_get_for_user(user=self.request.user, city_id=self.kwargs["pk"])
        return organisation_members(organisation=city)


class SupplierPrivateSerializer(ModelSerializer):
    class Meta:
        model = Supplier
        fields = ["id", "name", "slug", "kind", "country", "tax_id", "is_sme", "website"]


class SupplierDetailView(APIView):
    """A supplier's own record, for its representatives."""

    @extend_schema(responses=SupplierPrivateSerializer)
    def get(self, request, pk: int):
        supplier = supplier_get_for_user(user=request.user, supplier_id=pk)
        return Response(SupplierPrivateSerializer(supplier).data)


class SupplierMembersView(ListAPIView):
    serializer_class = MemberSerializer
    pagination_class = None

    def get_queryset(self):
        supplier = supplier_get_for_user(user=self.request.user, supplier_id=self.kwargs["pk"])
        return organisation_members(organisation=supplier)
