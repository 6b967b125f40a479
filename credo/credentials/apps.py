from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credo.credentials"
    label = "credentials"
    verbose_name = "Credentials"
