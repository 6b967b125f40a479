"""Programme pages, under /programmes/. Each area keeps its own URL module in this package, included here."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "programmes"

urlpatterns: list[URLPattern | URLResolver] = [
    # Each area adds one line: path("", include("credo.programmes.urls.<area>")),
    path("", include("credo.programmes.urls.support")),
    path("", include("credo.programmes.urls.staff")),
    path("", include("credo.programmes.urls.checkins")),
    path("", include("credo.programmes.urls.workshops")),
    path("", include("credo.programmes.urls.setup")),
    path("", include("credo.programmes.urls.pages")),
    path("", include("credo.programmes.urls.public")),  # keep last: its slug paths match anything
]
