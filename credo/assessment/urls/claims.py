"""Assessment pages: claims."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
