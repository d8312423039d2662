from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy, ngettext

from procurement.accounts.models import City, Membership, Network, Supplier, User
from procurement.accounts.services import api_tokens_revoke


@admin.register(User)
class OpenCPIUserAdmin(UserAdmin):
    actions = ["revoke_api_tokens"]
    # The national ID an uploaded signature's certificate must name (documents/signatures.py).
    fieldsets = (
        *UserAdmin.fieldsets,
        (gettext_lazy("Electronic signature"), {"fields": ("national_id",)}),
    )

    @admin.action(description=gettext_lazy("Revoke the selected users' API tokens"))
    def revoke_api_tokens(self, request, queryset):
        revoked = sum(
            api_tokens_revoke(actor=request.user, user=user, reason="revoked by an administrator")
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
        )


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "timezone", "currency"]
    list_filter = ["country", "networks"]
    search_fields = ["name"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "tax_id", "is_sme"]
    list_filter = ["kind", "is_sme", "country"]
    search_fields = ["name", "tax_id"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: memberships change through the services, which keep groups and audit in step."""

    list_display = ["user", "role", "city", "supplier", "network"]
    list_filter = ["role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
