from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "credo.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from credo.audit import checks  # noqa: F401 (registers the system check)
