from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from procurement.core.audit_labels import audit_label
from procurement.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is append-only: the admin can read it, never change it."""

    list_display = [
        "at",
        "actor",
        "action",
        "what",
        "name",
        "from_state",
        "to_state",
        "content_type",
    ]
    list_filter = ["action", "content_type"]

    @admin.display(description=_("what"))
    def what(self, obj: AuditEntry) -> str:
        """The registry's words for the act; a process's steps are read on the process page."""
        return audit_label(obj.name) or ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
