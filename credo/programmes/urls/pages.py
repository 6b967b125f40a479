"""A programme's page sections (set-up), information sessions and their sign-ups, and learners' resources.

Included before ``urls.public``, whose slug paths would otherwise match these; each ends in a fixed word.
"""

from django.urls import URLPattern, path

from credo.programmes.views import pages as views

_SETUP = "setup/<slug:provider>/<slug:programme>/page"

urlpatterns: list[URLPattern] = [
    path(f"{_SETUP}/", views.page_setup, name="setup_programme_page"),
    path(f"{_SETUP}/testimonials/", views.testimonials, name="setup_testimonials"),
    path(f"{_SETUP}/testimonials/<int:pk>/consent", views.testimonial_consent, name="setup_testimonial_consent"),
    path(f"{_SETUP}/testimonials/<int:pk>/withdraw", views.testimonial_withdraw, name="setup_testimonial_withdraw"),
    path(f"{_SETUP}/information-sessions/", views.information_sessions, name="setup_information_sessions"),
    path(
        f"{_SETUP}/information-sessions/<uuid:public_id>/recording",
        views.information_session_recording,
        name="setup_information_session_recording",
    ),
    path("information-sessions/<uuid:public_id>/sign-up", views.sign_up, name="information-session-sign-up"),
    path("information-sessions/<uuid:public_id>/sign-ups", views.sign_ups, name="information-session-sign-ups"),
    path(
        "information-sessions/<uuid:public_id>.ics",
        views.information_session_calendar,
        name="information-session-ics",
    ),
    path("resources/<slug:provider>/<slug:programme>/", views.resources, name="resources"),
    path("resources/<uuid:public_id>/remove", views.resource_remove, name="resource-remove"),
    path("resources/<uuid:public_id>/open", views.resource_open, name="resource-open"),
    path("my/<int:pk>/resources/", views.my_resources, name="my-resources"),
]
