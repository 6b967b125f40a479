from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credo.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from credo.catalogue import holdings
        from credo.core import panels
        from credo.credentials import checks  # noqa: F401 (registers the system check)
        from credo.credentials.panels import contribute, units_held_by
        from credo.credentials.services.bulk import register as register_jobs

        panels.register(contribute)  # a learner's credentials, and issuing for an issuer's staff, on the dashboard
        holdings.register(units_held_by)  # the progression checker ticks the units a learner's credentials show
        register_jobs()  # applying a CSV of awards, and re-issuing an achievement's credentials, run as jobs
