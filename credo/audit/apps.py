from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "credo.audit"
    label = "audit"
    verbose_name = "Audit"
