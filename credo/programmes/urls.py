"""Programme pages, under /programmes/. Each area keeps its own URL module, included here."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "programmes"

urlpatterns: list[URLPattern | URLResolver] = [
    # Each area adds one line: path("", include("credo.programmes.urls_<area>")),
    path("", include("credo.programmes.urls_support")),
    path("", include("credo.programmes.urls_staff")),
    path("", include("credo.programmes.urls_checkins")),
    path("", include("credo.programmes.urls_workshops")),
    path("", include("credo.programmes.urls_setup")),
    path("", include("credo.programmes.urls_pages")),
    path("", include("credo.programmes.urls_public")),  # keep last: its slug paths match anything
]
