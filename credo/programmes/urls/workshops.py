"""Workshop pages, under /programmes/: a cohort's sessions, attendance, .ics downloads and calendar feeds."""

from django.urls import path, re_path

from credo.programmes.views import workshops as views

urlpatterns = [
    path("cohorts/<uuid:cohort_id>/sessions", views.sessions, name="sessions"),
    path("cohorts/<uuid:cohort_id>/sessions/new", views.add_session, name="session-add"),
    path("cohorts/<uuid:cohort_id>/calendar", views.calendar_subscription, name="calendar-subscription"),
    path("sessions/<uuid:session_id>/edit", views.change_session, name="session-change"),
    path("sessions/<uuid:session_id>/cancel", views.cancel_session, name="session-cancel"),
    path("sessions/<uuid:session_id>/attendance", views.attendance, name="attendance"),
    path("sessions/<uuid:session_id>.ics", views.session_ics, name="session-ics"),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", views.calendar_feed, name="calendar-feed"),
]
