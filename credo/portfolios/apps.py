from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "credo.portfolios"
    label = "portfolios"
    verbose_name = "Portfolios"

    def ready(self) -> None:
        from credo.portfolios.panels import cohort_portfolios
        from credo.programmes import cohort_panels

        # The cohort's staff dashboard counts portfolios started and submitted; programmes must not import portfolios.
        cohort_panels.register(cohort_portfolios)
