"""Portfolio pages, under /portfolios/. Each area keeps its own URL module in this package, included here."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "portfolios"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("credo.portfolios.urls.learner")),
    path("", include("credo.portfolios.urls.attestations")),
    path("", include("credo.portfolios.urls.submissions")),
    path("", include("credo.portfolios.urls.staff")),
]
