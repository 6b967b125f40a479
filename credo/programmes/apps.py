from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "credo.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        # The catalogue's qualification pages show where an entry can be studied, without importing this app.
        from credo.catalogue import offers
        from credo.programmes.intakes import catalogue_offers

        offers.contribute(catalogue_offers)
