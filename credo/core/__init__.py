"""Shared helpers: the base layout, health check, dashboard shell."""
