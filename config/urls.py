from django.contrib import admin
from django.urls import include, path

from credo.api import api

urlpatterns = [
    path("", include("credo.front.urls")),
    path("accounts/", include("allauth.urls")),
    path("organisations/", include("credo.accounts.urls")),
    path("catalogue/", include("credo.catalogue.urls")),
    path("", include("credo.credentials.urls")),
    path("issuing/", include("credo.credentials.urls_issuing")),
    path("programmes/", include("credo.programmes.urls")),
    path("portfolios/", include("credo.portfolios.urls")),
    path("assessment/", include("credo.assessment.urls")),
    path("jobs/", include("credo.core.urls")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
]
