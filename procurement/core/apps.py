from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "procurement.core"
    label = "core"
    verbose_name = "OpenCPI core"

    def ready(self) -> None:
        from procurement.core.compiled import KeptQueries
        from procurement.core.permissions import forget_permission_ids

        post_migrate.connect(forget_permission_ids, dispatch_uid="core-forget-permission-ids")
        post_migrate.connect(KeptQueries.forget, dispatch_uid="core-forget-kept-queries")
