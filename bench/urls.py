"""The application's URLs plus `/bench/bare`, the baseline every endpoint is compared with.

The bare view does no database or template work, so its rate is what the server,
middleware and client cost on this machine; the other endpoints are read against it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django request can do: the baseline for the ratios."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("config.urls")),
]
