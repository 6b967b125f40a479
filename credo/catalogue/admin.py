"""Catalogue in the admin, read-only: changes go through credo's pages, API or import, which check and audit."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credo.catalogue.models import Framework, Qualification, Unit


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Qualification)
class QualificationAdmin(ReadOnly):
    list_display = ("code", "version", "title", "status", "owner")
    list_filter = ("status", "kind", "framework")
    search_fields = ("code", "title")


@admin.register(Unit)
class UnitAdmin(ReadOnly):
    list_display = ("code", "title", "level", "owner")
    search_fields = ("code", "title")


admin.site.register(Framework, ReadOnly)
