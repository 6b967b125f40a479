from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "credo.assessment"
    label = "assessment"
    verbose_name = "Assessment"
