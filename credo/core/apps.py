from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credo.core"
    label = "core"
    verbose_name = "Core"
