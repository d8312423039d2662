from django.contrib import admin

from procurement.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is append-only: the admin can read it, never change it."""

    list_display = ["at", "actor", "action", "name", "from_state", "to_state", "content_type"]
    list_filter = ["action", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
