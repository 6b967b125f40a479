from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "credo.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"

    def ready(self) -> None:
        from credo.core import jobs, periodic
        from credo.portfolios.panels import cohort_portfolios
        from credo.portfolios.services import export_jobs
        from credo.portfolios.tasks import expire_attestation_requests, send_attestation_reminders
        from credo.programmes import cohort_panels

        # The cohort's staff dashboard counts portfolios started and submitted; programmes must not import portfolios.
        cohort_panels.register(cohort_portfolios)

        # Queued by programmes' `send_reminders` command, which may not import this app.
        periodic.register("the reminders for attestation links about to expire", send_attestation_reminders)
        periodic.register("the expiry of attestation links past their date", expire_attestation_requests)
        # A portfolio's or a submission's ZIP is built by a background job (docs/decisions/0018).
        jobs.register(export_jobs.KIND, export_jobs.run_export)
