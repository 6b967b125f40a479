from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credo.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from credo.catalogue import holdings
        from credo.core import panels, periodic
        from credo.credentials import checks  # noqa: F401 (registers the system check)
        from credo.credentials.panels import contribute, units_held_by
        from credo.credentials.services.bulk import register as register_jobs
        from credo.credentials.tasks import queue_pending_issuance

        panels.register(contribute)  # a learner's credentials, and issuing for an issuer's staff, on the dashboard
        holdings.register(units_held_by)  # the progression checker ticks the units a learner's credentials show
        register_jobs()  # applying a CSV of awards, and re-issuing an achievement's credentials, run as jobs
        # Queued by programmes' `send_reminders`: issuance for every attainment still without a credential.
        periodic.register("the issuing of credentials for attainments that have none yet", queue_pending_issuance)
