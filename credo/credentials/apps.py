from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credo.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from credo.credentials import checks  # noqa: F401 (registers the system check)
