from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from procurement.accounts import api as accounts_api
from procurement.accounts import otp as accounts_otp
from procurement.accounts import views as accounts_views
from procurement.core.reference_views import CpvSearchView, cpv_search_json
from procurement.core.views import healthz, language_set

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="api-logout"),
    path("auth/tokens/", accounts_api.ApiTokenListView.as_view(), name="api-token-list"),
    path(
        "auth/tokens/<str:token_id>/",
        accounts_api.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("cpv/", CpvSearchView.as_view(), name="api-cpv-search"),
    path("cities/", accounts_api.CityListView.as_view(), name="api-city-list"),
    path("cities/<int:pk>/", accounts_api.CityDetailView.as_view(), name="api-city-detail"),
    path(
        "cities/<int:pk>/members/",
        accounts_api.CityMembersView.as_view(),
        name="api-city-members",
    ),
    path(
        "suppliers/<int:pk>/",
        accounts_api.SupplierDetailView.as_view(),
        name="api-supplier-detail",
    ),
    path(
        "suppliers/<int:pk>/members/",
        accounts_api.SupplierMembersView.as_view(),
        name="api-supplier-members",
    ),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/setup/", accounts_otp.otp_setup, name="otp-setup"),
    path("accounts/otp/verify/", accounts_otp.otp_verify, name="otp-verify"),
    path("accounts/tokens/", accounts_views.api_tokens, name="account-tokens"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("reference/cpv/", cpv_search_json, name="cpv-search"),
    path("reference/cities/", accounts_views.city_search_json, name="city-search"),
    path("documents/", include("documents.urls")),
    path("org/cities/<int:pk>/", accounts_views.city_workspace, name="city-workspace"),
    path("org/suppliers/<int:pk>/", accounts_views.supplier_workspace, name="supplier-workspace"),
    path("processes/", include("tenders.urls")),
    # Suppliers register under the consultations they come to answer.
    path(
        "consultations/register/",
        accounts_views.supplier_registration,
        name="supplier-register",
    ),
    path(
        "consultations/register/<str:token>/",
        accounts_views.supplier_registration_link,
        name="supplier-register-confirm",
    ),
    path("consultations/", include("tenders.consultation.urls")),
    path("portal/", include("publication.urls_portal")),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("tenders.urls_api")),
    path("api/v1/", include("publication.urls_ocds")),
    path("api/v1/", include("documents.urls_api")),
    path("api/v1/", include("workflows.urls_api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("workflows.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "procurement.core.errors.bad_request"
handler404 = "procurement.core.errors.not_found"
