"""Setting up a provider's programmes and cohorts, under /programmes/setup/<provider slug>/.

Every page of one object ends in a fixed word, so no slug (a programme called "new-programme") hides another page.
"""

from django.urls import URLPattern, path

from credo.programmes import views_setup

urlpatterns: list[URLPattern] = [
    path("setup/<slug:provider>/", views_setup.home, name="setup_home"),
    path("setup/<slug:provider>/billing-details/", views_setup.billing_details, name="setup_billing"),
    path("setup/<slug:provider>/new-programme/", views_setup.programme_create, name="setup_programme_create"),
    path("setup/<slug:provider>/<slug:programme>/edit/", views_setup.programme_edit, name="setup_programme_edit"),
    path("setup/<slug:provider>/<slug:programme>/new-cohort/", views_setup.cohort_create, name="setup_cohort_create"),
    path(
        "setup/<slug:provider>/<slug:programme>/<slug:cohort>/edit/",
        views_setup.cohort_edit,
        name="setup_cohort_edit",
    ),
    path(
        "setup/<slug:provider>/<slug:programme>/<slug:cohort>/copy/",
        views_setup.cohort_copy,
        name="setup_cohort_copy",
    ),
]
