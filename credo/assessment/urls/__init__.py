"""Assessment pages, under /assessment/. Each stage keeps its own URL module in this package, included here."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "assessment"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("credo.assessment.urls.assessing")),
    path("", include("credo.assessment.urls.moderation")),
    path("", include("credo.assessment.urls.ratification")),
    path("", include("credo.assessment.urls.claims")),
    path("", include("credo.assessment.urls.pipeline")),
]
