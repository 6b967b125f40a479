"""Registration and the enrolment lifecycle.

waitlisted -> applied -> confirmed -> active, and withdrawn, deferred (to another
cohort) or lapsed. Every move is a function here: checked against the state it
starts from, audited, and emailed where a person would expect to hear.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes import staff_words
from credo.programmes.models import (
    CheckInBooking,
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    Invoice,
    InvoiceState,
    OrganisationType,
    SupportDecision,
    SupportKind,
)
from credo.programmes.services import invoices, questions
from credo.programmes.services.cohorts import registration_window, tier_for, zone

#: Enrolments that hold a place in a cohort (counted against its capacity).
HOLDING_A_PLACE = (EnrolmentState.APPLIED, EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)
#: Moves that end a learner's study in the cohort: what they had booked is given back.
LEAVING = (EnrolmentState.WITHDRAWN, EnrolmentState.DEFERRED, EnrolmentState.LAPSED)
ALLOWED_FROM = {
    EnrolmentState.APPLIED: {EnrolmentState.WAITLISTED},
    EnrolmentState.CONFIRMED: {EnrolmentState.APPLIED},
    EnrolmentState.ACTIVE: {EnrolmentState.CONFIRMED},
    EnrolmentState.WITHDRAWN: {
        EnrolmentState.WAITLISTED,
        EnrolmentState.APPLIED,
        EnrolmentState.CONFIRMED,
        EnrolmentState.ACTIVE,
    },
    EnrolmentState.DEFERRED: {EnrolmentState.APPLIED, EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE},
    EnrolmentState.LAPSED: {EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE},  # confirmed: never started
    EnrolmentState.AWARDED: {EnrolmentState.ACTIVE},  # mark_awarded: the learner's outcome was ratified or certificated
}


def require_cohort_staff(actor: Any, cohort: Cohort) -> None:
    if Role.PROGRAMME_ADMIN not in roles_in(actor, cohort.programme.provider):
        raise PermissionDenied(f"Only {cohort.programme.provider}'s programme admins manage its enrolments.")


def tell(enrolment: Enrolment, subject: str, lines: list[str]) -> None:
    learner = enrolment.learner
    greeting = enrolment.cohort.programme.provider.greeting
    body = "\n".join([f"{greeting} {learner.full_name or learner.email},", "", *lines])
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject, body=body, to=[learner.email], from_email=settings.DEFAULT_FROM_EMAIL
        )
    )


def move(enrolment: Enrolment, to: str, *, actor: Any, reason: str = "", **details: Any) -> Enrolment:
    """The one way an enrolment changes state: locked, checked against ``ALLOWED_FROM``, audited, and (when the
    learner leaves) their booked check-ins given back. Callers check who may ask, and say what happened by email."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("cohort__programme__provider", "learner")
        .get(pk=enrolment.pk)
    )
    if enrolment.state not in ALLOWED_FROM[EnrolmentState(to)]:
        raise ValidationError(
            f"This enrolment is {staff_words.enrolment_state(enrolment.state).lower()}; it cannot become "
            f"{staff_words.enrolment_state(to).lower()}."
        )
    before = enrolment.state
    enrolment.state = to
    enrolment.state_changed_at = timezone.now()
    enrolment.save(update_fields=["state", "state_changed_at"])
    if to in LEAVING:
        # Imported here: check-ins build on this module. Their times go back to the facilitator.
        from credo.programmes.services.checkins import release_bookings

        release_bookings(enrolment, actor=actor, reason=reason or EnrolmentState(to).label)
    record_event(
        actor=actor,
        action=f"programmes.enrolment_{to}",
        obj=enrolment,
        organisation_id=enrolment.cohort.programme.provider_id,
        details={"from": before, "to": to, "reason": reason, "learner": enrolment.learner.email, **details},
    )
    return enrolment


#: Staff moves that end the learner's study in the cohort for good: each is confirmed on a page saying what happens.
PERMANENT_MOVES = {
    "withdraw": EnrolmentState.WITHDRAWN,
    "defer": EnrolmentState.DEFERRED,
    "lapse": EnrolmentState.LAPSED,
}


def leaving_consequences(
    enrolment: Enrolment, move: str, *, to: Cohort | None = None, now: datetime.datetime | None = None
) -> list[str]:
    """What ``withdraw``, ``defer`` or ``lapse`` by a member of staff will do, in words, before anything is done.

    Read-only; a few queries. It says what the services below do (``withdraw``, ``defer``, ``lapse`` and the
    check-ins given back by ``move``): change one and change this with it.
    """
    cohort = enrolment.cohort
    learner = enrolment.learner
    name = learner.full_name or learner.email
    held = enrolment.state in HOLDING_A_PLACE
    invoices_ = list(enrolment.invoices.select_related("provider").order_by("number"))
    unpaid = [invoice.reference for invoice in invoices_ if invoice.state == InvoiceState.ISSUED]
    paid = any(invoice.state == InvoiceState.PAID for invoice in invoices_)
    waiting = cohort.enrolments.filter(state=EnrolmentState.WAITLISTED).exclude(pk=enrolment.pk).count()
    booked = CheckInBooking.objects.filter(
        enrolment=enrolment, cancelled_at__isnull=True, slot__starts_at__gt=now or timezone.now()
    ).count()
    lines: list[str] = []
    if move == "withdraw":
        lines.append(f"{name} gives up their place in {cohort}." if held else f"{name} leaves the waiting list.")
    elif move == "defer":
        lines.append(f"{name} moves to {to or 'the cohort you choose'}; their enrolment here ends as deferred.")
    else:
        lines.append(f"{name}'s enrolment in {cohort} ends as lapsed: they no longer study or submit in it.")
    if move in ("withdraw", "defer") and unpaid:
        lines.append(f"Unpaid invoice{'s' if len(unpaid) > 1 else ''} {', '.join(unpaid)}: cancelled.")
    if move == "withdraw" and paid:
        lines.append("A paid invoice stays paid: any refund is arranged outside credo.")
    if move == "defer":
        if paid:
            lines.append("The fee they paid goes with them: they have nothing more to pay.")
        else:
            lines.append("A new invoice for the other cohort is issued and emailed to them.")
        lines.append("Their requests for help with the fee, and the decisions on them, go with them.")
    if move in ("withdraw", "defer") and held:
        lines.append(
            f"The place is offered to the first of the {waiting} people waiting, who is invoiced and emailed."
            if waiting
            else "The place is free for someone else to register."
        )
    if booked:
        lines.append(
            f"{booked} booked check-in{'s are' if booked > 1 else ' is'} cancelled and given back to the "
            "facilitator, who is told."
        )
    told = {
        "withdraw": f"{name} is emailed that you withdrew them, with your reason; the cohort's other staff and "
        "facilitators are told.",
        "defer": f"{name} is emailed where their place has moved, with your reason.",
        "lapse": f"{name} is emailed that their enrolment has lapsed, with your reason.",
    }
    lines.append(told[move])
    return lines


def own_withdrawal_consequences(enrolment: Enrolment, *, now: datetime.datetime | None = None) -> list[str]:
    """What withdrawing will do, said to the learner who asks for it, before anything is done (read-only).

    It says what ``withdraw`` does for a learner's own request; change one and change this with it.
    """
    cohort = enrolment.cohort
    invoices_ = list(enrolment.invoices.select_related("provider").order_by("number"))
    unpaid = [invoice.reference for invoice in invoices_ if invoice.state == InvoiceState.ISSUED]
    booked = CheckInBooking.objects.filter(
        enrolment=enrolment, cancelled_at__isnull=True, slot__starts_at__gt=now or timezone.now()
    ).count()
    held = enrolment.state in HOLDING_A_PLACE
    lines = [f"You give up your place in {cohort}." if held else f"You leave the waiting list of {cohort}."]
    if unpaid:
        lines.append(f"Your unpaid invoice{'s' if len(unpaid) > 1 else ''} {', '.join(unpaid)}: cancelled.")
    if any(invoice.state == InvoiceState.PAID for invoice in invoices_):
        lines.append(f"What you have paid stays paid: ask {cohort.programme.provider} about a refund.")
    if booked:
        lines.append(
            f"Your {booked} booked check-in{'s are' if booked > 1 else ' is'} cancelled; the facilitator is told."
        )
    lines.append(f"{cohort.programme.provider}'s staff are told, with your reason. To study later, register again.")
    return lines


def places_left(cohort: Cohort) -> int | None:
    if cohort.capacity is None:
        return None
    return max(0, cohort.capacity - cohort.enrolments.filter(state__in=HOLDING_A_PLACE).count())


def register(
    *,
    cohort: Cohort,
    learner: Any,
    organisation_name: str,
    organisation_type: str,
    terms_accepted: bool,
    answers: Mapping[int, Any] | None = None,
    invoice_to_organisation: bool = False,
    now: datetime.datetime | None = None,
    registered_by: Any = None,
    full_name: str = "",
) -> Enrolment:
    """Register ``learner`` for ``cohort``: checked; then an invoice and an email, or a waiting-list place.

    ``answers`` maps each of the programme's registration questions (by id) to what the learner gave: a
    statement's checkbox, a question's text (``questions.answers_for``); they are kept on the enrolment as asked.

    ``registered_by``: a programme admin registering the learner (a roster import). Staff may register people
    outside the registration window, so only the window is skipped; the learner has not seen the programme's
    questions, so none are recorded. Every other check still applies, and the admin is the actor the audit log
    records.
    """
    now = now or timezone.now()
    if registered_by is not None:
        require_cohort_staff(registered_by, cohort)
    else:
        window = registration_window(cohort, now)
        if not window.is_open:
            raise ValidationError(window.message)
    actor = registered_by or learner
    problems: dict[str, str] = {}
    full_name = full_name.strip()
    if not learner.full_name and not full_name:
        problems["full_name"] = "Give your full name: it goes on your invoice and, later, your credential."
    if not organisation_name.strip():
        problems["organisation_name"] = "Give the name of the organisation you work with (or 'self-employed')."
    if organisation_type not in OrganisationType.values:
        problems["organisation_type"] = "Choose the kind of organisation you work with."
    recorded: list[dict[str, str]] = []
    if registered_by is None:
        try:
            recorded = questions.answers_for(list(cohort.programme.registration_questions.all()), answers or {})
        except ValidationError as error:
            problems.update({name: " ".join(found) for name, found in error.message_dict.items()})
    if not terms_accepted:
        problems["terms_accepted"] = "Accept the terms to register."
    if problems:
        raise ValidationError(problems)
    tier = tier_for(cohort, organisation_type)
    try:
        with transaction.atomic():
            if not learner.full_name:
                learner.full_name = full_name
                learner.save(update_fields=["full_name"])
            locked = Cohort.objects.select_for_update().get(pk=cohort.pk)  # capacity: one registration at a time
            full = places_left(locked) == 0
            enrolment = Enrolment.objects.create(
                cohort=locked,
                learner=learner,
                state=EnrolmentState.WAITLISTED if full else EnrolmentState.APPLIED,
                organisation_name=organisation_name.strip(),
                organisation_type=organisation_type,
                fee_tier=tier,
                eligibility_declared=True,  # every statement confirmed (answers_for refuses otherwise), or staff vouch
                terms_accepted_at=now,
                accepted_terms=cohort.programme.terms,  # what they agreed to, even if the terms change later
                registration_answers=recorded,  # likewise what they were asked and answered
                invoice_to_organisation=invoice_to_organisation,
                state_changed_at=now,
            )
            record_event(
                actor=actor,
                action="programmes.registered",
                obj=enrolment,
                organisation_id=locked.programme.provider_id,
                details={"cohort": str(locked), "state": enrolment.state, "fee_tier": tier.code},
            )
            if full:
                tell(
                    enrolment,
                    f"You are on the waiting list for {locked}",
                    [f"{locked} is full, so you are on its waiting list. We will email you if a place opens."],
                )
            else:
                _invoice_and_confirm_registration(enrolment, actor=actor, now=now)
    except IntegrityError:
        if not Enrolment.objects.filter(cohort=cohort, learner=learner).exists():
            raise  # not the one-enrolment rule: a real fault, not something the learner can fix
        raise ValidationError(f"You are already registered for {cohort}.") from None
    return enrolment


def _invoice_and_confirm_registration(
    enrolment: Enrolment, *, actor: Any, now: datetime.datetime | None = None, from_waiting_list: bool = False
) -> Invoice:
    invoice = invoices.issue_invoice(enrolment, actor=actor, now=now)
    cohort = enrolment.cohort
    tax = f" plus {invoice.tax_name} {invoice.tax_amount}" if invoice.tax_amount else ""
    # The invoice goes with the email, so the learner (or their organisation's accounts team) has it at once.
    invoices.email_invoice(
        invoice,
        subject=f"A place has opened for you in {cohort}" if from_waiting_list else f"You are registered for {cohort}",
        lines=[
            f"Good news: a place has opened in {cohort}, and it is yours. You are now registered."
            if from_waiting_list
            else f"Thank you for registering for {cohort}.",
            "",
            f"Invoice {invoice.reference}: {invoice.currency} {invoice.amount_excluding_tax}{tax}, "
            f"total {invoice.currency} {invoice.total}, due {invoice.due_on:%-d %B %Y}.",
            "The invoice is attached, and you can download it from your dashboard. Your place is confirmed when it "
            "is paid.",
            "",
            *invoices.how_to_pay(invoice),
            "",
            "If cost is a barrier, you can ask for support (a reduced fee, a payment plan or a letter for a grant "
            "application) from your dashboard.",
        ],
        to=[enrolment.learner.email],
    )
    return invoice


@transaction.atomic
def record_payment(
    invoice: Invoice, *, actor: Any, paid_on: datetime.date, reference: str = "", zone_name: str = ""
) -> Invoice:
    """Staff record that an invoice was paid (credo takes no card payments); an applied enrolment is confirmed.

    ``paid_on`` is a day in ``zone_name``; by default the zone of the person recording it (``invoices.date_zone``).
    """
    require_cohort_staff(actor, invoice.enrolment.cohort)
    if zone_name:
        zone(zone_name)  # a name that is not a zone is refused, by the field that named it
    zone_name = zone_name or invoices.date_zone(actor, invoice.enrolment.cohort)
    invoice = invoices.mark_paid(invoice, actor=actor, paid_on=paid_on, reference=reference, zone_name=zone_name)
    if invoice.enrolment.state == EnrolmentState.APPLIED:
        confirm(invoice.enrolment, actor=actor, reason=f"Invoice {invoice.reference} paid")
    return invoice


@transaction.atomic
def confirm(enrolment: Enrolment, *, actor: Any, reason: str) -> Enrolment:
    """Applied -> confirmed: paid, funded, or invoiced to an organisation that staff accept."""
    require_cohort_staff(actor, enrolment.cohort)
    enrolment = move(enrolment, EnrolmentState.CONFIRMED, actor=actor, reason=reason)
    tell(enrolment, f"Your place in {enrolment.cohort} is confirmed", [f"Your place is confirmed ({reason})."])
    return enrolment


@transaction.atomic
def activate(enrolment: Enrolment, *, actor: Any) -> Enrolment:
    """Confirmed -> active: study has started, and the learner hears where everything is."""
    require_cohort_staff(actor, enrolment.cohort)
    enrolment = move(enrolment, EnrolmentState.ACTIVE, actor=actor, reason="Study started")
    tell(enrolment, f"Study has started: {enrolment.cohort}", _study_started_lines(enrolment))
    return enrolment


@transaction.atomic
def activate_all_confirmed(cohort: Cohort, *, actor: Any) -> list[Enrolment]:
    """Start study for every confirmed learner of the cohort at once (each move checked, audited and emailed)."""
    require_cohort_staff(actor, cohort)
    confirmed = cohort.enrolments.filter(state=EnrolmentState.CONFIRMED).order_by("pk")
    return [activate(enrolment, actor=actor) for enrolment in confirmed]


def _study_started_lines(enrolment: Enrolment) -> list[str]:
    site = str(settings.SITE_URL).rstrip("/")
    cohort = enrolment.cohort
    first = cohort.sessions.filter(cancelled_at__isnull=True).order_by("starts_at").first()
    lines = [f"Your study in {cohort.programme.name} ({cohort.name}) has started."]
    if first is not None:
        starts = timezone.localtime(first.starts_at, zone(cohort.time_zone))
        lines.append(
            f"The first workshop is {first.topic}, on {starts:%A} {starts.day} {starts:%B at %H:%M} "
            f"({cohort.time_zone})."
        )
    lines += [
        "",
        "Your page, with workshops, hours and deadlines: "
        + site
        + reverse("programmes:my-enrolment", args=[enrolment.pk]),
        "Book your 1:1 check-ins: " + site + reverse("programmes:checkins-learner", args=[enrolment.pk]),
    ]
    return lines


@transaction.atomic
def withdraw(enrolment: Enrolment, *, actor: Any, reason: str) -> Enrolment:
    """The learner (or staff) withdraws; unpaid invoices are cancelled and the place goes to the waiting list."""
    if actor != enrolment.learner:
        require_cohort_staff(actor, enrolment.cohort)
    if not reason.strip():
        raise ValidationError({"reason": "Say why, for the record."})
    held_a_place = enrolment.state in HOLDING_A_PLACE
    enrolment = move(enrolment, EnrolmentState.WITHDRAWN, actor=actor, reason=reason)
    invoices.cancel_unpaid(enrolment, actor=actor, reason="Enrolment withdrawn")
    learner = enrolment.learner
    by_staff = actor != learner
    staff_name = (getattr(actor, "full_name", "") or getattr(actor, "email", "")) if by_staff else ""
    if by_staff:
        # The learner did not ask for this: say who did it and why, so they know whom to talk to.
        tell(
            enrolment,
            f"You have been withdrawn from {enrolment.cohort}",
            [
                f"{staff_name} has withdrawn you from {enrolment.cohort}: {reason.strip()}",
                "",
                "If you think this is a mistake, reply to this email or contact the programme team.",
            ],
        )
    else:
        tell(enrolment, f"You have withdrawn from {enrolment.cohort}", [f"Your withdrawal is recorded: {reason}"])
    # Imported here because funding builds on this module; the cohort's staff plan around who is in it.
    from credo.programmes.services.funding import cohort_staff_emails, email_staff

    learner_name = f"{learner.full_name or learner.email} ({learner.email})"
    email_staff(
        cohort_staff_emails(enrolment.cohort, facilitators=True, leaving_out=actor),
        f"Withdrawn: {learner.full_name or learner.email} from {enrolment.cohort}",
        [
            f"{staff_name} has withdrawn {learner_name} from {enrolment.cohort}."
            if by_staff
            else f"{learner_name} has withdrawn from {enrolment.cohort}.",
            f"Reason: {reason.strip()}",
            "",
            "Unpaid invoices are cancelled"
            + (", and the place is offered to the waiting list." if held_a_place else "."),
        ],
    )
    if held_a_place:
        offer_next_place(enrolment.cohort, actor=actor)
    return enrolment


def offer_next_place(cohort: Cohort, *, actor: Any) -> Enrolment | None:
    """Give a freed place to the longest-waiting person on the waiting list."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)  # as registration does: one place, one taker
    if places_left(cohort) == 0:
        return None
    waiting = cohort.enrolments.filter(state=EnrolmentState.WAITLISTED).order_by("created_at", "pk").first()
    if waiting is None:
        return None
    promoted = move(waiting, EnrolmentState.APPLIED, actor=actor, reason="A place opened")
    _invoice_and_confirm_registration(promoted, actor=actor, from_waiting_list=True)
    return promoted


@transaction.atomic
def defer(enrolment: Enrolment, *, actor: Any, to: Cohort, reason: str) -> Enrolment:
    """Move a learner to a later cohort of the same programme; a paid fee goes with them."""
    require_cohort_staff(actor, enrolment.cohort)
    if to.programme_id != enrolment.cohort.programme_id or to.pk == enrolment.cohort_id:
        raise ValidationError({"to": "Defer to another cohort of the same programme."})
    if to.study_ends < timezone.localdate(timezone.now(), zone(to.time_zone)):
        raise ValidationError({"to": f"{to} has finished: defer to a cohort still to come or under way."})
    target = Cohort.objects.select_for_update().get(pk=to.pk)
    if places_left(target) == 0:
        raise ValidationError({"to": f"{to} is full: choose another cohort, or register them on its waiting list."})
    paid = enrolment.invoices.filter(state="paid").exists()
    old = move(enrolment, EnrolmentState.DEFERRED, actor=actor, reason=reason, to_cohort=str(to))
    invoices.cancel_unpaid(old, actor=actor, reason=f"Deferred to {to}")
    try:
        with transaction.atomic():
            new = Enrolment.objects.create(
                cohort=to,
                learner=old.learner,
                state=EnrolmentState.CONFIRMED if paid else EnrolmentState.APPLIED,
                organisation_name=old.organisation_name,
                organisation_type=old.organisation_type,
                fee_tier=tier_for(to, old.organisation_type),
                eligibility_declared=True,
                terms_accepted_at=old.terms_accepted_at,
                accepted_terms=old.accepted_terms,
                registration_answers=old.registration_answers,
                invoice_to_organisation=old.invoice_to_organisation,
                state_changed_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"to": f"{old.learner.email} is already registered for {to}."}) from None
    Enrolment.objects.filter(pk=old.pk).update(deferred_to=new)
    # Help with the fee was for the learner's place on the programme, wherever it is: it goes with them.
    support_moved = FundingRequest.objects.filter(enrolment=old).update(enrolment=new)
    reduction = (
        FundingRequest.objects.filter(
            enrolment=new, kind=SupportKind.REDUCED_FEE, decision=SupportDecision.APPROVED
        ).first()
        if support_moved
        else None
    )
    if support_moved:
        record_event(
            actor=actor,
            action="programmes.fee_support_moved",
            obj=new,
            organisation_id=to.programme.provider_id,
            details={"from_enrolment": old.pk, "requests": support_moved},
        )
    moved = [f"Your enrolment has moved from {old.cohort} to {to}: {reason}"]
    if support_moved:
        moved.append("Your requests for help with the fee, and the decisions on them, go with you.")
    if paid:
        moved.append("The fee you paid goes with you: there is nothing more to pay.")
        tell(old, f"Your place has moved to {to}", moved)
    else:
        invoice = invoices.issue_invoice(new, actor=actor, amount=reduction.reduced_amount if reduction else None)
        moved += [
            "",
            f"The unpaid invoice for {old.cohort} is cancelled. Invoice {invoice.reference} for {to} replaces it"
            + (" (at your reduced fee):" if reduction else ":"),
            f"{invoice.currency} {invoice.total} including {invoice.tax_name or 'no tax'}, "
            f"due {invoice.due_on:%-d %B %Y}. It is attached.",
            "",
            *invoices.how_to_pay(invoice),
        ]
        invoices.email_invoice(invoice, subject=f"Your place has moved to {to}", lines=moved, to=[old.learner.email])
    offer_next_place(old.cohort, actor=actor)
    return new


@transaction.atomic
def lapse(enrolment: Enrolment, *, actor: Any, reason: str = "The submission deadline passed") -> Enrolment:
    require_cohort_staff(actor, enrolment.cohort)
    enrolment = move(enrolment, EnrolmentState.LAPSED, actor=actor, reason=reason)
    tell(enrolment, f"Your enrolment in {enrolment.cohort} has lapsed", [f"{reason}. Talk to us about what next."])
    return enrolment


def mark_awarded(enrolment: Enrolment, *, actor: Any, reason: str = "") -> Enrolment:
    """The enrolment ends as awarded: the learner's outcome was ratified or certificated (called by assessment's
    services, which check who may decide that and tell the learner). Locked and audited through ``move``; an
    enrolment already awarded is returned as it is, so a job run twice marks it once."""
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("state", flat=True).get()
        if current == EnrolmentState.AWARDED:
            enrolment.state = current
            return enrolment
        return move(enrolment, EnrolmentState.AWARDED, actor=actor, reason=reason)
