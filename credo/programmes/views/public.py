"""The public programme and cohort pages, the listing of intakes open now, and registration.

Anyone may read a programme's pages; registering needs an account. The learner's own pages after registering
are in ``learner``. Objects load through the access helpers; every change is one service call.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from credo.accounts.services import update_profile
from credo.catalogue.models import Qualification
from credo.programmes import intakes, learner_home
from credo.programmes.access.common import public_cohort
from credo.programmes.access.public import public_cohort_page, public_programme
from credo.programmes.forms.public import (
    TERMS_ID,
    IntakeFilterForm,
    RegistrationForm,
)
from credo.programmes.models import (
    Cohort,
    Enrolment,
    FeeTier,
    InvoiceState,
    OrganisationType,
)
from credo.programmes.services import cohorts, enrolments, fees, pages
from credo.programmes.views import workshop_rows

# Pages -------------------------------------------------------------------------------------------------------------


def _cohort_url(cohort: Cohort) -> str:
    programme = cohort.programme
    return reverse("programmes:cohort", args=[programme.provider.slug, programme.slug, cohort.slug])


def _register_url(cohort: Cohort) -> str:
    programme = cohort.programme
    return reverse("programmes:register", args=[programme.provider.slug, programme.slug, cohort.slug])


def _account_links(cohort: Cohort) -> dict[str, str]:
    """Sign-up and sign-in addresses that come back to the registration form."""
    after = urlencode({"next": _register_url(cohort)}, safe="/")
    return {"signup_url": f"{reverse('account_signup')}?{after}", "login_url": f"{reverse('account_login')}?{after}"}


def _own_enrolment_in(request: HttpRequest, cohort: Cohort) -> Enrolment | None:
    if not request.user.is_authenticated:
        return None
    return cohort.enrolments.filter(learner_id=request.user.pk).first()


#: Intakes on one page of the public listing.
INTAKES_PER_PAGE = 20


@require_GET
def open_programmes(request: HttpRequest) -> HttpResponse:
    """Programmes open for registration, filtered; a fixed number of queries however many cohorts
    (test_open_programmes): the filters' choices, the page's count and the page itself."""
    form = IntakeFilterForm(request.GET or None, choices=intakes.filter_choices())
    filters = form.filters()
    now = timezone.now()
    page = Paginator(intakes.intakes(filters, now), INTAKES_PER_PAGE).get_page(request.GET.get("page"))
    # Each page link keeps the filters: the address without its page number.
    kept = urlencode([(name, value) for name, value in request.GET.items() if name != "page"])
    context = {
        "form": form,
        "when": filters.when,
        "heading": intakes.When(filters.when).label,
        "filtered": any(value for name, value in request.GET.items() if name not in {"page", "when"}),
        "page": page,
        "rows": [intakes.describe(cohort, now) for cohort in page.object_list],
        "kept": f"{kept}&" if kept else "",
        "closed_url": f"{reverse('programmes:open')}?when={intakes.When.CLOSED}",
    }
    return render(request, "programmes/public/open_programmes.html", context)


@require_GET
def programme_page(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    offered = public_programme(provider, programme)
    now = timezone.now()
    rows = []
    for cohort in offered.cohorts.order_by("-study_starts"):
        today = timezone.localdate(now, cohorts.zone(cohort.time_zone))
        rows.append(
            {
                "cohort": cohort,
                "url": _cohort_url(cohort),
                "is_past": cohort.study_ends < today,
                "window": cohorts.registration_window(cohort, now),
                "has_closed": now >= cohort.registration_opens,  # shown only when the window is not open
            }
        )
    sections = pages.public_page(offered, viewer=request.user)  # the page's own sections (services.pages)
    return render(
        request, "programmes/public/programme.html", {"programme": offered, "cohorts": rows, "sections": sections}
    )


def _months(starts: datetime.date, ends: datetime.date) -> str:
    """'September to October 2024', as the seed says 'assessed in Sept/Oct'; a year each side when they differ."""
    if (starts.year, starts.month) == (ends.year, ends.month):
        return date_format(starts, "F Y")
    if starts.year == ends.year:
        return f"{date_format(starts, 'F')} to {date_format(ends, 'F Y')}"
    return f"{date_format(starts, 'F Y')} to {date_format(ends, 'F Y')}"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _resubmissions(allowed: int) -> str:
    if allowed == 0:
        return "No resubmission: the first submission is assessed as final."
    count = _NUMBER_WORDS[allowed] if allowed < len(_NUMBER_WORDS) else str(allowed)
    if allowed == 1:
        return "If your submission needs more work, one resubmission is allowed."
    return f"If your submission needs more work, up to {count} resubmissions are allowed."


def _qualification_facts(qualification: Qualification) -> list[tuple[str, str]]:
    """What the programme leads to, as the catalogue states it: the pairs a person compares between offers."""
    facts = [
        ("Qualification", f"{qualification.title} ({qualification.get_kind_display().lower()})"),
        ("Level", qualification.level_note or str(qualification.level)),
        ("Code", f"{qualification.code} ({qualification.framework.code}), version {qualification.version}"),
    ]
    if qualification.credits is not None:
        facts.append(("Credits", str(qualification.credits)))
    if qualification.guided_learning_hours is not None:
        facts.append(("Guided learning", f"{qualification.guided_learning_hours} hours"))
    if qualification.total_qualification_time is not None:
        facts.append(("Total qualification time", f"{qualification.total_qualification_time} hours"))
    facts.append(("Awarded by", qualification.owner.name))
    return facts


@dataclass(frozen=True)
class FeeRow:
    """A fee tier as a person compares them: who pays it, and the amount before and with tax."""

    tier: FeeTier
    quote: fees.Quote
    organisation_types: list[str]


def _fee_rows(cohort: Cohort) -> list[FeeRow]:
    """Each fee tier, dearest first; one query."""
    labels = dict(OrganisationType.choices)
    tiers = sorted(cohort.fee_tiers.all(), key=lambda tier: (-tier.amount, tier.code))
    return [
        FeeRow(
            tier=tier,
            quote=fees.quote(tier.amount, tax_rate=cohort.tax_rate, tax_name=cohort.tax_name, currency=cohort.currency),
            organisation_types=[str(labels.get(code, code)) for code in tier.organisation_types],
        )
        for tier in tiers
    ]


def _has_closed(cohort: Cohort, window: cohorts.RegistrationWindow, now: datetime.datetime) -> bool:
    return not window.is_open and now >= cohort.registration_opens


def _open_intake(cohort: Cohort, window: cohorts.RegistrationWindow, now: datetime.datetime) -> dict[str, str]:
    """For a cohort whose registration has closed: the programme's intake open now, if any, to point to."""
    if not _has_closed(cohort, window, now):
        return {}
    found = cohorts.open_intake(cohort.programme, besides=cohort, now=now)
    if found is None:
        return {}
    found.programme = cohort.programme  # the same programme, already loaded: its address needs no query
    return {"name": found.name, "url": _cohort_url(found), "message": cohorts.registration_window(found, now).message}


def _status_for_learner(enrolment: Enrolment | None) -> str:
    """Where the viewer's own enrolment stands, in the words of their home page ("Registered: invoice to pay by …")."""
    if enrolment is None:
        return ""
    unpaid = list(enrolment.invoices.filter(state=InvoiceState.ISSUED))
    return learner_home.status_words(enrolment, unpaid=unpaid)


@require_GET
def cohort_page(request: HttpRequest, provider: str, programme: str, cohort: str) -> HttpResponse:
    """Everything a person needs to decide, in a fixed number of queries however many learners (test_query_counts)."""
    found = public_cohort_page(provider, programme, cohort)
    offered = found.programme
    qualification = offered.qualification
    viewer_zone = workshop_rows.viewer_zone(request)
    now = timezone.now()
    window = cohorts.registration_window(found, now)
    context = {
        "cohort": found,
        "programme": offered,
        "sessions": workshop_rows.session_rows(
            found, viewer_zone, list(found.sessions.filter(cancelled_at__isnull=True))
        ),
        "viewer_zone": viewer_zone,
        "fee_rows": _fee_rows(found),
        "rounding_rule": fees.ROUNDING_RULE,
        "window": window,
        "announcement": cohorts.extension_announcement(found, now),
        "registration_closed": _has_closed(found, window, now),
        "open_intake": _open_intake(found, window, now),
        "places_left": enrolments.places_left(found),
        "enrolment": (enrolment := _own_enrolment_in(request, found)),
        "enrolment_status": _status_for_learner(enrolment),
        "register_url": _register_url(found),
        "study_starts": date_format(found.study_starts, "j F Y"),
        "study_ends": date_format(found.study_ends, "j F Y"),
        "deadline": workshop_rows.when(found.submission_deadline, found.time_zone),
        "assessed": _months(found.assessment_starts, found.assessment_ends),
        "resubmissions": _resubmissions(found.resubmissions_allowed),
        # Names only: a facilitator's email address is not for the public page.
        "facilitators": [
            person.full_name for person in found.facilitators.exclude(full_name="").order_by("full_name", "pk")
        ],
        "qualification": qualification,
        "qualification_facts": _qualification_facts(qualification),
        # Drafts have no public catalogue page; every other status does (live, superseded, withdrawn).
        "qualification_url": "" if qualification.is_draft else qualification.get_absolute_url(),
        **_account_links(found),
    }
    return render(request, "programmes/public/cohort.html", context)


def _register_and_remember_zone(cohort: Cohort, learner: Any, form: RegistrationForm) -> Enrolment:
    """Register; then, if the person chose a time zone, keep it on their profile. Both or neither."""
    chosen = form.chosen_zone()
    with transaction.atomic():
        enrolment = enrolments.register(cohort=cohort, learner=learner, **form.registration_fields())
        if chosen and chosen != learner.time_zone:
            update_profile(learner, full_name=learner.full_name, time_zone=chosen)
    return enrolment


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, provider: str, programme: str, cohort: str) -> HttpResponse:
    found = public_cohort(provider, programme, cohort)
    if not request.user.is_authenticated:
        context = {"cohort": found, "cohort_url": _cohort_url(found), **_account_links(found)}
        return render(request, "programmes/public/sign_in_to_register.html", context)
    existing = _own_enrolment_in(request, found)
    if existing is not None:
        messages.info(request, f"You are already registered for {found}.")
        return redirect("programmes:my-enrolment", existing.pk)
    window = cohorts.registration_window(found)
    form = RegistrationForm(
        request.POST or None,
        learner=request.user,
        terms=found.programme.terms,
        questions=list(found.programme.registration_questions.all()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = _register_and_remember_zone(found, request.user, form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("programmes:registered", enrolment.pk)
    context = {
        "cohort": found,
        "programme": found.programme,
        "form": form,
        "window": window,
        "places_left": enrolments.places_left(found),
        "cohort_url": _cohort_url(found),
        "fee_rows": _fee_rows(found),
        "rounding_rule": fees.ROUNDING_RULE,
        "terms_id": TERMS_ID,
    }
    return render(request, "programmes/public/register.html", context, status=422 if form.errors else 200)
