"""Programme pages, under /programmes/. Each area keeps its own URL module, included here."""

from django.urls import URLPattern, URLResolver

app_name = "programmes"

urlpatterns: list[URLPattern | URLResolver] = [
    # Each area adds one line: path("", include("credo.programmes.urls_<area>")),
]
