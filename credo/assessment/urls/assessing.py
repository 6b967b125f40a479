"""Assessment pages: assessing."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
