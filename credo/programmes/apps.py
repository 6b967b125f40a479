from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "credo.programmes"
    label = "programmes"
    verbose_name = "Programmes"
