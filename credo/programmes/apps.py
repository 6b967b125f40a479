from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "credo.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from credo.core import panels
        from credo.programmes.panels import contribute

        panels.register(contribute)  # a learner's programmes, and the cohorts of providers' staff, on the dashboard
