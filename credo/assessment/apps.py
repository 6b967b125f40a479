from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "credo.assessment"
    label = "assessment"
    verbose_name = "Assessment"

    def ready(self) -> None:
        from credo.assessment import wiring

        wiring.connect()
