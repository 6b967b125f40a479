"""Registration and the enrolment lifecycle.

waitlisted -> applied -> confirmed -> active, and withdrawn, deferred (to another
cohort) or lapsed. Every move is a function here: checked against the state it
starts from, audited, and emailed where a person would expect to hear.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, Invoice, OrganisationType
from credo.programmes.services import invoices
from credo.programmes.services.cohorts import registration_window, tier_for

#: Enrolments that hold a place in a cohort (counted against its capacity).
HOLDING_A_PLACE = (EnrolmentState.APPLIED, EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)
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
    EnrolmentState.LAPSED: {EnrolmentState.ACTIVE},
}


def require_cohort_staff(actor: Any, cohort: Cohort) -> None:
    if Role.PROGRAMME_ADMIN not in roles_in(actor, cohort.programme.provider):
        raise PermissionDenied(f"Only {cohort.programme.provider}'s programme admins manage its enrolments.")


def tell(enrolment: Enrolment, subject: str, lines: list[str]) -> None:
    learner = enrolment.learner
    greeting = "Kia ora" if enrolment.cohort.programme.provider.country == "NZ" else "Hello"
    body = "\n".join([f"{greeting} {learner.full_name or learner.email},", "", *lines])
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject, body=body, to=[learner.email], from_email=settings.DEFAULT_FROM_EMAIL
        )
    )


def _move(enrolment: Enrolment, to: str, *, actor: Any, reason: str = "", **details: Any) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("cohort__programme__provider", "learner")
        .get(pk=enrolment.pk)
    )
    if enrolment.state not in ALLOWED_FROM[EnrolmentState(to)]:
        raise ValidationError(
            f"This enrolment is {enrolment.get_state_display().lower()}; it cannot become "
            f"{EnrolmentState(to).label.lower()}."
        )
    before = enrolment.state
    enrolment.state = to
    enrolment.state_changed_at = timezone.now()
    enrolment.save(update_fields=["state", "state_changed_at"])
    record_event(
        actor=actor,
        action=f"programmes.enrolment_{to}",
        obj=enrolment,
        organisation_id=enrolment.cohort.programme.provider_id,
        details={"from": before, "to": to, "reason": reason, "learner": enrolment.learner.email, **details},
    )
    return enrolment


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
    eligibility_declared: bool,
    terms_accepted: bool,
    invoice_to_organisation: bool = False,
    now: datetime.datetime | None = None,
    registered_by: Any = None,
    full_name: str = "",
) -> Enrolment:
    """Register ``learner`` for ``cohort``: checked; then an invoice and an email, or a waiting-list place.

    ``registered_by``: a programme admin registering the learner (a roster import). Staff may register people
    outside the registration window, so only the window is skipped; every other check still applies, and the
    admin is the actor the audit log records.
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
    if not eligibility_declared:
        problems["eligibility_declared"] = (
            "This programme is for people already working in communities: confirm that you are to register."
        )
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
                eligibility_declared=True,
                terms_accepted_at=now,
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
    enrolment: Enrolment, *, actor: Any, now: datetime.datetime | None = None
) -> Invoice:
    invoice = invoices.issue_invoice(enrolment, actor=actor, now=now)
    cohort = enrolment.cohort
    tax = f" plus {invoice.tax_name} {invoice.tax_amount}" if invoice.tax_amount else ""
    tell(
        enrolment,
        f"You are registered for {cohort}",
        [
            f"Thank you for registering for {cohort}.",
            "",
            f"Invoice {invoice.reference}: {invoice.currency} {invoice.amount_excluding_tax}{tax}, "
            f"total {invoice.currency} {invoice.total}, due {invoice.due_on:%-d %B %Y}.",
            "You can download it from your dashboard. Your place is confirmed when it is paid.",
            "If cost is a barrier, you can ask for support (a reduced fee, a payment plan or a letter for a grant "
            "application) from your dashboard.",
        ],
    )
    return invoice


@transaction.atomic
def record_payment(invoice: Invoice, *, actor: Any, paid_on: datetime.date, reference: str = "") -> Invoice:
    """Staff record that an invoice was paid (credo takes no card payments); an applied enrolment is confirmed."""
    require_cohort_staff(actor, invoice.enrolment.cohort)
    invoice = invoices.mark_paid(invoice, actor=actor, paid_on=paid_on, reference=reference)
    if invoice.enrolment.state == EnrolmentState.APPLIED:
        confirm(invoice.enrolment, actor=actor, reason=f"Invoice {invoice.reference} paid")
    return invoice


@transaction.atomic
def confirm(enrolment: Enrolment, *, actor: Any, reason: str) -> Enrolment:
    """Applied -> confirmed: paid, funded, or invoiced to an organisation that staff accept."""
    require_cohort_staff(actor, enrolment.cohort)
    enrolment = _move(enrolment, EnrolmentState.CONFIRMED, actor=actor, reason=reason)
    tell(enrolment, f"Your place in {enrolment.cohort} is confirmed", [f"Your place is confirmed ({reason})."])
    return enrolment


@transaction.atomic
def activate(enrolment: Enrolment, *, actor: Any) -> Enrolment:
    require_cohort_staff(actor, enrolment.cohort)
    return _move(enrolment, EnrolmentState.ACTIVE, actor=actor, reason="Study started")


@transaction.atomic
def withdraw(enrolment: Enrolment, *, actor: Any, reason: str) -> Enrolment:
    """The learner (or staff) withdraws; unpaid invoices are cancelled and the place goes to the waiting list."""
    if actor != enrolment.learner:
        require_cohort_staff(actor, enrolment.cohort)
    if not reason.strip():
        raise ValidationError({"reason": "Say why, for the record."})
    held_a_place = enrolment.state in HOLDING_A_PLACE
    enrolment = _move(enrolment, EnrolmentState.WITHDRAWN, actor=actor, reason=reason)
    invoices.cancel_unpaid(enrolment, actor=actor, reason="Enrolment withdrawn")
    tell(enrolment, f"You have withdrawn from {enrolment.cohort}", [f"Your withdrawal is recorded: {reason}"])
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
    promoted = _move(waiting, EnrolmentState.APPLIED, actor=actor, reason="A place opened")
    _invoice_and_confirm_registration(promoted, actor=actor)
    return promoted


@transaction.atomic
def defer(enrolment: Enrolment, *, actor: Any, to: Cohort, reason: str) -> Enrolment:
    """Move a learner to a later cohort of the same programme; a paid fee goes with them."""
    require_cohort_staff(actor, enrolment.cohort)
    if to.programme_id != enrolment.cohort.programme_id or to.pk == enrolment.cohort_id:
        raise ValidationError({"to": "Defer to another cohort of the same programme."})
    target = Cohort.objects.select_for_update().get(pk=to.pk)
    if places_left(target) == 0:
        raise ValidationError({"to": f"{to} is full: choose another cohort, or register them on its waiting list."})
    paid = enrolment.invoices.filter(state="paid").exists()
    old = _move(enrolment, EnrolmentState.DEFERRED, actor=actor, reason=reason, to_cohort=str(to))
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
                invoice_to_organisation=old.invoice_to_organisation,
                state_changed_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"to": f"{old.learner.email} is already registered for {to}."}) from None
    Enrolment.objects.filter(pk=old.pk).update(deferred_to=new)
    if not paid:
        invoices.issue_invoice(new, actor=actor)
    tell(old, f"Your place has moved to {to}", [f"Your enrolment has moved from {old.cohort} to {to}: {reason}"])
    offer_next_place(old.cohort, actor=actor)
    return new


@transaction.atomic
def lapse(enrolment: Enrolment, *, actor: Any, reason: str = "The submission deadline passed") -> Enrolment:
    require_cohort_staff(actor, enrolment.cohort)
    enrolment = _move(enrolment, EnrolmentState.LAPSED, actor=actor, reason=reason)
    tell(enrolment, f"Your enrolment in {enrolment.cohort} has lapsed", [f"{reason}. Talk to us about what next."])
    return enrolment
