"""The public programme and cohort pages, registration, and the learner's own dashboard and invoices.

Anyone may read a programme's pages; registering needs an account; a learner
sees and changes only their own enrolment. Objects load through the access
helpers; every change is one service call.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.accounts.services import update_profile
from credo.catalogue.models import Qualification
from credo.programmes import intakes, learner_home
from credo.programmes.access.common import own_enrolment, public_cohort
from credo.programmes.access.public import grant_letter_for, invoice_for, public_cohort_page, public_programme
from credo.programmes.documents.grant_letter import grant_letter_pdf
from credo.programmes.documents.invoice import invoice_pdf
from credo.programmes.forms.public import (
    TERMS_ID,
    IntakeFilterForm,
    LogHoursForm,
    RegistrationForm,
    SupportRequestForm,
    WithdrawForm,
)
from credo.programmes.models import (
    Cohort,
    Enrolment,
    FeeTier,
    FundingRequest,
    InvoiceState,
    OrganisationType,
    Session,
    SupportDecision,
    SupportKind,
)
from credo.programmes.services import cohorts, enrolments, fees, funding, pages, study, workshops

# Pages -------------------------------------------------------------------------------------------------------------


def _when(moment: datetime.datetime, zone_name: str) -> str:
    local = timezone.localtime(moment, cohorts.zone(zone_name))
    return f"{date_format(local, 'l j F Y, g:i A')} ({zone_name})"


@dataclass(frozen=True)
class SessionRow:
    """A workshop as the page shows it: in the cohort's zone, and in the viewer's own when that differs."""

    session: Session
    cohort_time: str
    viewer_time: str
    #: Online, at a venue, or both; never the meeting link, which only enrolled learners see.
    place: str


def _place(session: Session) -> str:
    if session.meeting_url and session.venue:
        return f"At {session.venue}, or online"
    if session.venue:
        return f"At {session.venue}"
    if session.meeting_url:
        return "Online"
    return "Place to be confirmed"


def _session_rows(cohort: Cohort, viewer_zone: str, sessions: list[Session]) -> list[SessionRow]:
    shown_zone = viewer_zone if viewer_zone and viewer_zone != cohort.time_zone else ""
    return [
        SessionRow(
            session=session,
            # Start and end, as the seed writes them: "Wednesday 3 April, 12:00-13:30 NZDT".
            cohort_time=workshops.span(session, cohort.time_zone),
            viewer_time=workshops.span(session, shown_zone) if shown_zone else "",
            place=_place(session),
        )
        for session in sessions
    ]


def _viewer_zone(request: HttpRequest) -> str:
    zone_name = getattr(request.user, "time_zone", "")
    try:
        return cohorts.zone(zone_name).key if zone_name else ""
    except ValidationError:  # a stale or mistyped profile zone: show the cohort's only
        return ""


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


@require_GET
def cohort_page(request: HttpRequest, provider: str, programme: str, cohort: str) -> HttpResponse:
    """Everything a person needs to decide, in a fixed number of queries however many learners (test_query_counts)."""
    found = public_cohort_page(provider, programme, cohort)
    offered = found.programme
    qualification = offered.qualification
    viewer_zone = _viewer_zone(request)
    now = timezone.now()
    window = cohorts.registration_window(found, now)
    context = {
        "cohort": found,
        "programme": offered,
        "sessions": _session_rows(found, viewer_zone, list(found.sessions.filter(cancelled_at__isnull=True))),
        "viewer_zone": viewer_zone,
        "fee_rows": _fee_rows(found),
        "rounding_rule": fees.ROUNDING_RULE,
        "window": window,
        "announcement": cohorts.extension_announcement(found, now),
        "registration_closed": _has_closed(found, window, now),
        "open_intake": _open_intake(found, window, now),
        "places_left": enrolments.places_left(found),
        "enrolment": _own_enrolment_in(request, found),
        "register_url": _register_url(found),
        "study_starts": date_format(found.study_starts, "j F Y"),
        "study_ends": date_format(found.study_ends, "j F Y"),
        "deadline": _when(found.submission_deadline, found.time_zone),
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


@login_required
@require_GET
def registered(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    context = {"enrolment": enrolment, "cohort": enrolment.cohort, "invoices": enrolment.invoices.order_by("-pk")}
    return render(request, "programmes/public/registered.html", context)


@login_required
@require_GET
def invoice_download(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def grant_letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    support = grant_letter_for(request.user, pk)
    response = HttpResponse(grant_letter_pdf(support), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="grant-letter-{support.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# The learner's dashboard ---------------------------------------------------------------------------------------------

MY_PROGRAMMES_PAGE = 20


@login_required
@require_GET
def my_enrolments(request: HttpRequest) -> HttpResponse:
    """The learner's programmes, those under way first, a page at a time; ``?show=current`` or ``past`` filters."""
    mine = learner_home.enrolments_of(request.user)
    show = request.GET.get("show", "")
    if show == "current":
        mine = mine.filter(state__in=learner_home.IN_PROGRESS)
    elif show == "past":
        mine = mine.exclude(state__in=learner_home.IN_PROGRESS)
    else:
        show = ""
    page = Paginator(mine, MY_PROGRAMMES_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "summaries": learner_home.summaries(request.user, list(page)), "show": show}
    return render(request, "programmes/public/my_enrolments.html", context)


@dataclass(frozen=True)
class SupportRow:
    """A request for help with the fee as the learner sees it, with what an approval gave them."""

    support: FundingRequest
    schedule: list[funding.Instalment]
    letter_url: str


def _support_rows(enrolment: Enrolment) -> list[SupportRow]:
    """Each request, with a plan's payments (from the unpaid invoice) or a letter's address; fixed queries."""
    unpaid = funding.unpaid_invoice(enrolment)
    rows = []
    for support in enrolment.funding_requests.order_by("-created_at"):
        has_letter = (
            support.kind == SupportKind.GRANT_LETTER
            and support.decision == SupportDecision.APPROVED
            and enrolment.state in enrolments.HOLDING_A_PLACE  # as ``access.public.grant_letter_for``
        )
        rows.append(
            SupportRow(
                support=support,
                schedule=funding.schedule_for(support, unpaid),
                letter_url=reverse("programmes:grant-letter-pdf", args=[support.pk]) if has_letter else "",
            )
        )
    return rows


def _dashboard(request: HttpRequest, enrolment: Enrolment, status: int = 200, **forms: Any) -> HttpResponse:
    """The enrolment's page; a fixed number of queries however long the study log or the workshop list."""
    cohort = enrolment.cohort
    now = timezone.now()
    shown = study.timeline(enrolment, now)
    progress = study.progress(enrolment, now)
    invoices = list(enrolment.invoices.select_related("provider").order_by("-pk"))
    support_requests = _support_rows(enrolment)
    standing = learner_home.status_words(
        enrolment,
        unpaid=[invoice for invoice in invoices if invoice.state == InvoiceState.ISSUED],
        pending_support=any(row.support.decision == SupportDecision.PENDING for row in support_requests),
    )
    context = {
        "standing": standing,
        "enrolment": enrolment,
        "cohort": cohort,
        "timeline": shown,
        "next_workshop": (
            _session_rows(cohort, _viewer_zone(request), [shown.next_workshop])[0] if shown.next_workshop else None
        ),
        "deadline": _when(shown.submission_deadline, cohort.time_zone),
        "progress": progress,
        "progress_max": max(progress.expected, progress.logged, 1),
        "log": enrolment.study_log.all()[:20],
        "sessions": _session_rows(cohort, _viewer_zone(request), list(cohort.sessions.all())),
        "invoices": invoices,
        "support_requests": support_requests,
        "remainder_rule": funding.REMAINDER_RULE,
        "holds_a_place": enrolment.state in enrolments.HOLDING_A_PLACE,
        "may_withdraw": enrolment.state in enrolments.ALLOWED_FROM[enrolments.EnrolmentState.WITHDRAWN],
        "log_form": forms.get("log_form") or LogHoursForm(initial={"day": study.cohort_today(enrolment, now)}),
        "support_form": forms.get("support_form") or SupportRequestForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "programmes/public/enrolment.html", context, status=status)


@login_required
@require_GET
def my_enrolment(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, own_enrolment(request.user, pk))


@login_required
@require_POST
def log_hours(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = LogHoursForm(request.POST)
    if form.is_valid():
        try:
            entry = study.log_hours(enrolment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Logged {study.hours_text(entry.hours)} h on {date_format(entry.day, 'j F Y')}.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, log_form=form)


@login_required
@require_POST
def ask_for_support(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = SupportRequestForm(request.POST)
    if form.is_valid():
        try:
            support = funding.request_support(enrolment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your request for {support.get_kind_display().lower()} is with the provider.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, support_form=form)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            enrolments.withdraw(enrolment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You have withdrawn from {enrolment.cohort}.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, withdraw_form=form)
