"""Setting up a provider's programmes and cohorts, under /programmes/setup/<provider slug>/.

Every page of one object ends in a fixed word, so no slug (a programme called "new-programme") hides another page.
"""

from django.urls import URLPattern, path

from credo.programmes.views import setup as views

urlpatterns: list[URLPattern] = [
    path("setup/<slug:provider>/", views.home, name="setup_home"),
    path("setup/<slug:provider>/billing-details/", views.billing_details, name="setup_billing"),
    path("setup/<slug:provider>/new-programme/", views.programme_create, name="setup_programme_create"),
    path("setup/<slug:provider>/<slug:programme>/edit/", views.programme_edit, name="setup_programme_edit"),
    path("setup/<slug:provider>/<slug:programme>/new-cohort/", views.cohort_create, name="setup_cohort_create"),
    path(
        "setup/<slug:provider>/<slug:programme>/<slug:cohort>/edit/",
        views.cohort_edit,
        name="setup_cohort_edit",
    ),
    path(
        "setup/<slug:provider>/<slug:programme>/<slug:cohort>/copy/",
        views.cohort_copy,
        name="setup_cohort_copy",
    ),
]
