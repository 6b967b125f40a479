from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "credo.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from credo.accounts import destinations
        from credo.catalogue import offers
        from credo.core import jobs, panels
        from credo.programmes.intakes import catalogue_offers
        from credo.programmes.panels import contribute
        from credo.programmes.services import roster
        from credo.programmes.signup import describe_register_url

        panels.register(contribute)  # a learner's programmes, and the cohorts of providers' staff, on the dashboard
        # Sign-up and sign-in name the course a visitor was registering for when they left its form.
        destinations.register("programmes.register", describe_register_url)
        # The catalogue's qualification pages show where an entry can be studied, without importing this app.
        offers.contribute(catalogue_offers)
        # A confirmed roster is registered, and a roster exported, by background jobs (credo.core.jobs).
        jobs.register(roster.IMPORT_KIND, roster.run_import)
        jobs.register(roster.EXPORT_KIND, roster.run_export)
