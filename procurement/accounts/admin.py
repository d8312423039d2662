from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from procurement.accounts.models import City, Membership, Network, Supplier, User


@admin.register(User)
class OpenCPIUserAdmin(UserAdmin):
    pass


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
