from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "credo.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"
