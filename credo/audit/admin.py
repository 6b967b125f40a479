"""The audit log in the admin: readable, never changeable (the database refuses changes anyway)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credo.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("seq", "occurred_at", "actor_label", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("actor_label", "action", "object_repr", "object_id")
    ordering = ("-seq",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
