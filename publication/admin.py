from django.contrib import admin

from publication.models import BuyerProfile, Notice, SupplierAddress


@admin.register(BuyerProfile)
class BuyerProfileAdmin(admin.ModelAdmin):
    """What a city's eForms notices say of it as buyer (NIF, contacts, NUTS, appeals body)."""

    list_display = ["city", "tax_id", "email", "nuts", "review_body"]
    search_fields = ["city__name", "tax_id"]


@admin.register(SupplierAddress)
class SupplierAddressAdmin(admin.ModelAdmin):
    list_display = ["supplier", "town", "postal_code", "nuts"]
    search_fields = ["supplier__name"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices are made and validated by the eforms queue's worker."""

    list_display = ["tender", "subtype", "notice_id", "version", "status", "built_at", "seconds"]
    list_filter = ["subtype", "status"]
    search_fields = ["notice_id", "tender__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
