from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "credo.front"
    label = "front"
    verbose_name = "Front"
