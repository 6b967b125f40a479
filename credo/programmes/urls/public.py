"""Public programme and cohort pages and registration; the learner's own pages, invoice PDFs and grant letters.

The provider/programme/cohort slugs match any path, so this module is included
last in ``urls/__init__.py``: other areas' fixed paths win.
"""

from django.urls import URLPattern, path

from credo.programmes.views import learner, public

urlpatterns: list[URLPattern] = [
    path("", public.open_programmes, name="open"),
    path("my/", learner.my_enrolments, name="my-enrolments"),
    path("my/<int:pk>/", learner.my_enrolment, name="my-enrolment"),
    path("my/<int:pk>/registered/", learner.registered, name="registered"),
    path("my/<int:pk>/log-hours/", learner.log_hours, name="log-hours"),
    path("my/<int:pk>/fee-support/", learner.ask_for_support, name="ask-for-support"),
    path("my/<int:pk>/withdraw/", learner.withdraw, name="withdraw"),
    path("invoices/<int:pk>.pdf", learner.invoice_download, name="invoice-pdf"),
    path("grant-letters/<int:pk>.pdf", learner.grant_letter_download, name="grant-letter-pdf"),
    path("<slug:provider>/<slug:programme>/", public.programme_page, name="programme"),
    path("<slug:provider>/<slug:programme>/<slug:cohort>/", public.cohort_page, name="cohort"),
    path("<slug:provider>/<slug:programme>/<slug:cohort>/register/", public.register, name="register"),
]
