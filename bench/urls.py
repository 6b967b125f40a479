"""The application's URLs plus `/bench/bare`, the baseline every endpoint is compared with.

The bare view does no database or template work, so its rate is what the server,
middleware and client cost on this machine; the other endpoints are read against it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from credo.accounts.models import User
from credo.front.views import dashboard
from credo.programmes.models import Enrolment
from credo.programmes.views.learner import my_enrolment

#: The demo learner whose study page the bench reads (active in the 2024 cohort, with workshops and attendance).
BENCH_LEARNER = "learner@inspiring.example"


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django request can do: the baseline for the ratios."""
    return HttpResponse("ok")


def learner_page(request: HttpRequest) -> HttpResponse:
    """The demo learner's study page, as if they were signed in.

    The load generator sends no cookies, so this stands in for a session: it
    costs two lookups (the learner and their enrolment) that a signed-in request
    would spend on its session instead; everything else is the real view.
    """
    request.user = User.objects.get(email=BENCH_LEARNER)
    enrolment = Enrolment.objects.filter(learner=request.user).order_by("pk").values_list("pk", flat=True).first()
    return my_enrolment(request, pk=enrolment or 0)


def learner_home(request: HttpRequest) -> HttpResponse:
    """The demo learner's home (their programmes, invoices, questions and credentials), as if signed in."""
    request.user = User.objects.get(email=BENCH_LEARNER)
    return dashboard(request)


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("bench/learner-page", learner_page, name="bench-learner-page"),
    path("bench/learner-home", learner_home, name="bench-learner-home"),
    path("", include("config.urls")),
]
