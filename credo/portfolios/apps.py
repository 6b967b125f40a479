from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "credo.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"
