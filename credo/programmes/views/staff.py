"""Pages for a cohort's programme admins: the dashboard, enrolments and their lifecycle, payments, support
decisions, registration extensions, and the roster as CSV.

Objects load through ``access.common`` / ``access.staff`` (the cohort's provider's programme admins only); every
change is one service call, which checks the role again, audits and emails.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.jobs import job_url
from credo.core.uploads import bounded_upload
from credo.programmes import cohort_panels, staff_words
from credo.programmes.access import staff as access_staff
from credo.programmes.access.common import cohort_for_staff, is_programme_admin
from credo.programmes.cohort_figures import Bar, bar_chart, cohort_figures
from credo.programmes.forms.staff import (
    ROSTER_MAX_BYTES,
    DeferForm,
    ExtendRegistrationForm,
    PaymentForm,
    ReasonForm,
    RosterUploadForm,
    StartStudyForm,
    SupportDecisionForm,
)
from credo.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    InvoiceState,
    SupportDecision,
    SupportKind,
)
from credo.programmes.services import cohorts, enrolments, funding, invoices, roster

#: Where an uploaded roster waits between its preview and the confirmation (per cohort, in the staff member's session).
ROSTER_SESSION_KEY = "programmes.roster.{}"


def _dashboard_url(cohort: Cohort) -> str:
    return reverse("programmes:staff_dashboard", kwargs={"public_id": cohort.public_id})


def _enrolment_url(enrolment: Enrolment) -> str:
    return reverse("programmes:staff_enrolment", kwargs={"public_id": enrolment.cohort.public_id, "pk": enrolment.pk})


def _problem_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def dashboard(request: HttpRequest, public_id: str) -> HttpResponse:
    # Facilitators watch progress and nudge learners, so they see the dashboard; they change nothing from it.
    cohort = cohort_for_staff(request.user, public_id, facilitators=True)
    figures = cohort_figures(cohort)
    attendance_bars = [Bar(f"Workshop {row.session.number}", row.present) for row in figures.attendance]
    context = {
        "cohort": cohort,
        "figures": figures,
        "state_chart": bar_chart("state-chart", "Registrations by status", figures.by_state),
        "attendance_chart": bar_chart("attendance-chart", "Learners present at each workshop", attendance_bars),
        "announcement": cohorts.extension_announcement(cohort),
        "is_admin": is_programme_admin(request.user, cohort),
        "panels": cohort_panels.panels_for(cohort, request.user),  # other apps' blocks (the portfolios' progress)
    }
    return render(request, "programmes/staff/dashboard.html", context)


@login_required
@require_GET
def enrolment_list(request: HttpRequest, public_id: str) -> HttpResponse:
    cohort = cohort_for_staff(request.user, public_id)
    state = request.GET.get("state", "")
    rows = access_staff.cohort_enrolments(cohort).order_by("learner__full_name", "learner__email")
    if state in EnrolmentState.values:
        rows = rows.filter(state=state)
    context = {
        "cohort": cohort,
        "enrolments": rows,
        "states": staff_words.enrolment_state_choices(),
        "state": state,
        "confirmed_count": _confirmed_count(cohort),
    }
    return render(request, "programmes/staff/enrolments.html", context)


def _confirmed_count(cohort: Cohort) -> int:
    return cohort.enrolments.filter(state=EnrolmentState.CONFIRMED).count()


@login_required
@require_POST
def start_study(request: HttpRequest, public_id: str) -> HttpResponse:
    """Start study for every confirmed learner at once: the button says how many; if that number changed since the
    page was shown (someone paid or withdrew meanwhile), nothing happens and the admin sees the new number."""
    cohort = cohort_for_staff(request.user, public_id)
    back = redirect(reverse("programmes:staff_enrolments", kwargs={"public_id": cohort.public_id}))
    form = StartStudyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Use the button on this page to start study.")
        return back
    now_confirmed = _confirmed_count(cohort)
    if form.cleaned_data["expected"] != now_confirmed:
        messages.error(
            request,
            f"Nothing changed: {now_confirmed} learners are confirmed now, not {form.cleaned_data['expected']}. "
            "Check the list and press the button again.",
        )
        return back
    try:
        started = enrolments.activate_all_confirmed(cohort, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Nothing changed: {_problem_text(error)}")
        return back
    if not started:
        messages.info(request, "No learner is confirmed, so nobody was started.")
    else:
        learners = "learner" if len(started) == 1 else "learners"
        messages.success(request, f"Study started for {len(started)} {learners}; each has been emailed.")
    return back


#: The ids of each enrolment-page form's inputs (``confirm_reason``, ``withdraw_reason``…).
AUTO_ID = {
    "reason_form": "confirm_%s",
    "withdraw_form": "withdraw_%s",
    "lapse_form": "lapse_%s",
    "defer_form": "defer_%s",
}


def _payment_form(viewer: Any, cohort: Cohort, data: Any = None, **kwargs: Any) -> PaymentForm:
    """The payment form in the viewer's own zone (their profile's, else the cohort's), starting at their today."""
    zone_name = invoices.date_zone(viewer, cohort)
    return PaymentForm(data, zone_name=zone_name, own_zone=zone_name == getattr(viewer, "time_zone", ""), **kwargs)


def _detail_context(enrolment: Enrolment, viewer: Any, **forms: Any) -> dict[str, Any]:
    cohort = enrolment.cohort
    its_invoices = enrolment.invoices.select_related("provider").order_by("-number")
    requests = enrolment.funding_requests.order_by("-created_at")
    context: dict[str, Any] = {
        "cohort": cohort,
        "enrolment": enrolment,
        "invoices": its_invoices,
        "funding_requests": requests,
        "payment_form": _payment_form(viewer, cohort),
        # One page, several forms with a reason: each its own ids, so every label names its own box.
        "reason_form": ReasonForm(auto_id=AUTO_ID["reason_form"]),
        "withdraw_form": ReasonForm(auto_id=AUTO_ID["withdraw_form"]),
        "lapse_form": ReasonForm(auto_id=AUTO_ID["lapse_form"]),
        "defer_form": DeferForm(cohort=cohort, auto_id=AUTO_ID["defer_form"]),
        "support_form": SupportDecisionForm(),
        "pending": SupportDecision.PENDING,
        "can": {
            to: enrolment.state in enrolments.ALLOWED_FROM[EnrolmentState(to)]
            for to in ("confirmed", "active", "withdrawn", "deferred", "lapsed")
        },
    }
    context.update(forms)
    return context


@login_required
@require_GET
def enrolment_detail(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    enrolment = access_staff.enrolment_in_cohort(request.user, public_id, pk)
    return render(request, "programmes/staff/enrolment.html", _detail_context(enrolment, request.user))


def _refuse_with_form(request: HttpRequest, enrolment: Enrolment, name: str, form: Any) -> HttpResponse:
    """The enrolment page again, its problems summarised at the top (the form may be one the page no longer shows,
    when the state changed meanwhile), and what was typed kept in the form (422, so htmx and tests can tell)."""
    initial = dict(form.data.items())
    if isinstance(form, PaymentForm):
        retry: Any = _payment_form(request.user, enrolment.cohort, initial=initial)
    elif isinstance(form, DeferForm):
        retry = DeferForm(initial=initial, cohort=enrolment.cohort, auto_id=AUTO_ID[name])
    else:
        retry = type(form)(initial=initial, auto_id=AUTO_ID.get(name, "id_%s"))
    context = _detail_context(enrolment, request.user, **{name: retry}, failed=form)
    return render(request, "programmes/staff/enrolment.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_move(request: HttpRequest, public_id: str, pk: int, move: str) -> HttpResponse:
    """confirm, activate, withdraw, defer or lapse: each a service call, each refused if the state does not allow.

    Withdraw, defer and lapse cannot be undone: they happen only from their confirmation page (``confirmed=yes``),
    which says what they will do; a GET, or a POST without the confirmation, shows that page and changes nothing.
    """
    enrolment = access_staff.enrolment_in_cohort(request.user, public_id, pk)
    permanent = move in enrolments.PERMANENT_MOVES
    if request.method == "GET":
        if not permanent:
            return HttpResponseNotAllowed(["POST"])
        return _confirmation_page(request, enrolment, move, _move_form(move, None, enrolment)[1])
    form_name, form = _move_form(move, request.POST, enrolment)
    if not form.is_valid():
        if permanent:
            return _confirmation_page(request, enrolment, move, form, status=422)
        return _refuse_with_form(request, enrolment, form_name, form)
    if permanent and request.POST.get("confirmed") != "yes":
        return _confirmation_page(request, enrolment, move, form)
    data = form.cleaned_data
    actor = request.user
    try:
        if move == "confirm":
            enrolments.confirm(enrolment, actor=actor, reason=data["reason"])
        elif move == "activate":
            enrolments.activate(enrolment, actor=actor)
        elif move == "withdraw":
            enrolments.withdraw(enrolment, actor=actor, reason=data["reason"])
        elif move == "defer":
            new = enrolments.defer(enrolment, actor=actor, to=data["to"], reason=data["reason"])
            messages.success(request, f"{enrolment.learner.email} now has a place in {new.cohort}.")
            return redirect(_enrolment_url(enrolment))
        else:
            enrolments.lapse(enrolment, actor=actor, reason=data["reason"])
    except ValidationError as error:
        form.add_error(None, _problem_text(error))
        if permanent:
            return _confirmation_page(request, enrolment, move, form, status=422)
        return _refuse_with_form(request, enrolment, form_name, form)
    enrolment.refresh_from_db(fields=["state"])
    messages.success(request, f"{enrolment.learner.email}: {staff_words.enrolment_state(enrolment.state).lower()}.")
    return redirect(_enrolment_url(enrolment))


def _move_form(move: str, data: Any, enrolment: Enrolment) -> tuple[str, Any]:
    if move == "defer":
        return "defer_form", DeferForm(data, cohort=enrolment.cohort)
    if move == "activate":
        return "activate_form", ReasonForm({"reason": "Study started"})
    if move in ("confirm", "withdraw", "lapse"):
        name = {"confirm": "reason_form", "withdraw": "withdraw_form", "lapse": "lapse_form"}[move]
        return name, ReasonForm(data)
    raise Http404("No such move.")


#: The confirmation page of each permanent move: its question and its button.
CONFIRMATION = {
    "withdraw": ("Withdraw {name} from {cohort}?", "Withdraw {name}", "Keep {name} enrolled"),
    "defer": ("Defer {name} to another cohort?", "Defer {name}", "Keep {name} in this cohort"),
    "lapse": ("Mark {name}'s enrolment as lapsed?", "Mark as lapsed", "Keep {name} enrolled"),
}


def _confirmation_page(
    request: HttpRequest, enrolment: Enrolment, move: str, form: Any, *, status: int = 200
) -> HttpResponse:
    """What the move will do, the form again (reason, and the cohort for a deferral) and a warning-styled button."""
    if enrolment.state not in enrolments.ALLOWED_FROM[enrolments.PERMANENT_MOVES[move]]:
        state = staff_words.enrolment_state(enrolment.state).lower()
        messages.error(request, f"This enrolment is {state}: it cannot be changed that way any more.")
        return redirect(_enrolment_url(enrolment))
    to = form.cleaned_data.get("to") if form.is_bound and form.is_valid() and move == "defer" else None
    learner = enrolment.learner
    words = {"name": learner.full_name or learner.email, "cohort": enrolment.cohort}
    question, button, keep = (text.format(**words) for text in CONFIRMATION[move])
    context = {
        "cohort": enrolment.cohort,
        "enrolment": enrolment,
        "move": move,
        "form": form,
        "question": question,
        "button": button,
        "keep": keep,
        "consequences": enrolments.leaving_consequences(enrolment, move, to=to),
    }
    return render(request, "programmes/staff/confirm_move.html", context, status=status)


@login_required
@require_POST
def record_payment(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    """A recorded payment cannot be removed, and confirms the place: the day and amount are shown for a second look
    (in the recorder's own zone) before a confirmed POST records it."""
    invoice = access_staff.invoice_in_cohort(request.user, public_id, pk)
    enrolment = invoice.enrolment
    form = _payment_form(request.user, enrolment.cohort, request.POST)
    if form.is_valid():
        try:
            if request.POST.get("confirmed") != "yes":
                invoices.check_payment(invoice, paid_on=form.cleaned_data["paid_on"], zone_name=form.zone_name)
                return _payment_confirmation(request, invoice, form)
            enrolments.record_payment(
                invoice,
                actor=request.user,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
                zone_name=form.zone_name,
            )
        except ValidationError as error:
            form.add_error(None, _problem_text(error))
        else:
            messages.success(request, f"Payment of invoice {invoice.reference} recorded.")
            return redirect(_enrolment_url(enrolment))
    return _refuse_with_form(request, enrolment, "payment_form", form)


@login_required
@require_POST
def decide_support(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    support: FundingRequest = access_staff.funding_request_in_cohort(request.user, public_id, pk)
    enrolment = support.enrolment
    form = SupportDecisionForm(request.POST, kind=support.kind)
    if form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmed") != "yes":
            # A decision cannot be taken back, and an approved reduced fee cancels the invoice: say so first.
            return _decision_confirmation(request, support, form)
        try:
            funding.decide_support(
                support,
                actor=request.user,
                approve=data["decision"] == "approve",
                note=data["note"],
                reduced_amount=data["reduced_amount"],
                instalments=data["instalments"],
            )
        except ValidationError as error:
            form.add_error(None, _problem_text(error))
        else:
            messages.success(request, f"Decision on the request for {support.get_kind_display().lower()} sent.")
            return redirect(_enrolment_url(enrolment))
    return _refuse_with_form(request, enrolment, "support_form", form)


def _payment_confirmation(request: HttpRequest, invoice: Any, form: PaymentForm) -> HttpResponse:
    enrolment = invoice.enrolment
    learner = enrolment.learner
    name = learner.full_name or learner.email
    paid_on = form.cleaned_data["paid_on"]
    lines = [f"Invoice {invoice.reference} ({invoice.currency} {invoice.total}) is marked paid on "
             f"{paid_on.day} {paid_on:%B %Y} ({form.zone_name} day)."]  # fmt: skip
    if enrolment.state == EnrolmentState.APPLIED:
        lines.append(f"{name}'s place is confirmed, and they are emailed to say so.")
    context = {
        "cohort": enrolment.cohort,
        "enrolment": enrolment,
        "invoice": invoice,
        "form": form,
        "question": f"Record the payment of invoice {invoice.reference}?",
        "consequences": lines,
    }
    return render(request, "programmes/staff/confirm_payment.html", context)


def _decision_consequences(support: FundingRequest, data: dict[str, Any]) -> list[str]:
    """What ``funding.decide_support`` will do with this decision, in words, before it is done."""
    enrolment = support.enrolment
    learner = enrolment.learner
    name = learner.full_name or learner.email
    kind = support.get_kind_display().lower()
    lines = []
    if data["decision"] != "approve":
        lines.append(f"The request for {kind} is declined.")
    elif support.kind == SupportKind.REDUCED_FEE:
        unpaid = [i.reference for i in enrolment.invoices.all() if i.state == InvoiceState.ISSUED]
        cohort = enrolment.cohort
        if unpaid:
            lines.append(f"Unpaid invoice{'s' if len(unpaid) > 1 else ''} {', '.join(unpaid)}: cancelled.")
        lines.append(
            f"A new invoice for {cohort.currency} {data['reduced_amount']:.2f} before {cohort.tax_name or 'tax'} "
            f"is issued and emailed to {name}."
        )
    elif support.kind == SupportKind.PAYMENT_PLAN:
        lines.append(f"{name} may pay the unpaid invoice in {data['instalments']} monthly instalments.")
    else:
        lines.append(f"{name} can download a letter for their grant application from their page.")
    lines.append(f"{name} is emailed your decision and your note.")
    return lines


def _decision_confirmation(request: HttpRequest, support: FundingRequest, form: SupportDecisionForm) -> HttpResponse:
    enrolment = support.enrolment
    learner = enrolment.learner
    name = learner.full_name or learner.email
    approve = form.cleaned_data["decision"] == "approve"
    verb = "Approve" if approve else "Decline"
    context = {
        "cohort": enrolment.cohort,
        "enrolment": enrolment,
        "support": support,
        "form": form,
        "question": f"{verb} {name}'s request for {support.get_kind_display().lower()}?",
        "button": f"{verb} and tell {name}",
        # Warning style where something is taken away: a refusal, or an invoice cancelled and replaced.
        "warning": not approve or support.kind == SupportKind.REDUCED_FEE,
        "consequences": _decision_consequences(support, form.cleaned_data),
    }
    return render(request, "programmes/staff/confirm_decision.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def extend_registration(request: HttpRequest, public_id: str) -> HttpResponse:
    cohort = cohort_for_staff(request.user, public_id)
    form = ExtendRegistrationForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        new_closes = cohorts.end_of_day(form.cleaned_data["new_closing_day"], cohort.time_zone)
        try:
            cohorts.extend_registration(
                cohort, actor=request.user, new_closes=new_closes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, _problem_text(error))
        else:
            messages.success(request, f"Registration extended. {cohorts.extension_announcement(cohort)}".strip())
            return redirect(_dashboard_url(cohort))
    window = cohorts.registration_window(cohort)
    context = {
        "cohort": cohort,
        "form": form,
        "window": window,
        "extensions": cohort.extensions.select_related("extended_by").order_by("-created_at"),
    }
    return render(request, "programmes/staff/extend.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def roster_export(request: HttpRequest, public_id: str) -> HttpResponse:
    """Start writing the roster CSV in the background; its page offers the file when it is ready."""
    cohort = cohort_for_staff(request.user, public_id)
    return redirect(job_url(roster.start_export(cohort, actor=request.user)))


@login_required
@require_http_methods(["GET", "POST"])
@bounded_upload(ROSTER_MAX_BYTES)  # an oversized file is refused before any of it is stored
def roster_import(request: HttpRequest, public_id: str) -> HttpResponse:
    """Upload a roster and see every row's problems (nothing changes yet); a clean file waits for confirmation."""
    cohort = cohort_for_staff(request.user, public_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        check = roster.check_roster(cohort, text)
        if check.ok:
            request.session[ROSTER_SESSION_KEY.format(cohort.public_id)] = {
                "text": text,
                "name": form.file_name,
            }
    context = {"cohort": cohort, "form": form, "check": check}
    status = 422 if form.errors or (check is not None and not check.ok) else 200
    return render(request, "programmes/staff/import.html", context, status=status)


@login_required
@require_POST
def roster_import_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    """Check the whole file again, then register it row by row in the background and show the job's page."""
    cohort = cohort_for_staff(request.user, public_id)
    waiting = request.session.get(ROSTER_SESSION_KEY.format(cohort.public_id))
    if not waiting:
        messages.error(request, "There is no checked roster waiting: upload it again.")
        return redirect(reverse("programmes:staff_roster_import", kwargs={"public_id": cohort.public_id}))
    if isinstance(waiting, str):  # a file checked before an upgrade kept only its text
        waiting = {"text": waiting, "name": ""}
    try:
        job = roster.start_import(cohort, waiting["text"], actor=request.user, file_name=waiting["name"])
    except ValidationError as error:
        # The cohort changed since the preview (someone registered meanwhile): nothing was imported.
        messages.error(request, f"Nothing was imported: {_problem_text(error)}")
        return redirect(reverse("programmes:staff_roster_import", kwargs={"public_id": cohort.public_id}))
    del request.session[ROSTER_SESSION_KEY.format(cohort.public_id)]
    return redirect(job_url(job))
