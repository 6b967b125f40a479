"""Public programme and cohort pages, registration, the learner's dashboard, invoice PDFs and grant letters.

The provider/programme/cohort slugs match any path, so this module is included
last in ``urls/__init__.py``: other areas' fixed paths win.
"""

from django.urls import URLPattern, path

from credo.programmes.views import public as views

urlpatterns: list[URLPattern] = [
    path("", views.open_programmes, name="open"),
    path("my/", views.my_enrolments, name="my-enrolments"),
    path("my/<int:pk>/", views.my_enrolment, name="my-enrolment"),
    path("my/<int:pk>/registered/", views.registered, name="registered"),
    path("my/<int:pk>/log-hours/", views.log_hours, name="log-hours"),
    path("my/<int:pk>/fee-support/", views.ask_for_support, name="ask-for-support"),
    path("my/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("invoices/<int:pk>.pdf", views.invoice_download, name="invoice-pdf"),
    path("grant-letters/<int:pk>.pdf", views.grant_letter_download, name="grant-letter-pdf"),
    path("<slug:provider>/<slug:programme>/", views.programme_page, name="programme"),
    path("<slug:provider>/<slug:programme>/<slug:cohort>/", views.cohort_page, name="cohort"),
    path("<slug:provider>/<slug:programme>/<slug:cohort>/register/", views.register, name="register"),
]
