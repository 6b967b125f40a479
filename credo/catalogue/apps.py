from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "credo.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from credo.catalogue.panels import contribute
        from credo.core import panels

        panels.register(contribute)  # catalogue owners' editing links, and what a centre is approved to deliver
