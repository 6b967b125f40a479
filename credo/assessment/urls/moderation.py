"""Assessment pages: moderation."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
