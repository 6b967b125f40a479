"""When cost is a barrier: a learner asks for a reduced fee, a payment plan or a letter for a grant; staff decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.models import Role, User
from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.models import Enrolment, FundingRequest, InvoiceState, SupportDecision, SupportKind
from credo.programmes.services import invoices
from credo.programmes.services.enrolments import require_cohort_staff, tell
from credo.programmes.services.fees import money


def request_support(enrolment: Enrolment, *, actor: Any, kind: str, explanation: str) -> FundingRequest:
    if actor != enrolment.learner:
        raise PermissionDenied("Only the learner asks for support with their own fee.")
    if kind not in SupportKind.values:
        raise ValidationError({"kind": "Choose a reduced fee, a payment plan or a letter for a grant application."})
    if not explanation.strip():
        raise ValidationError({"explanation": "Tell us a little about your situation, so staff can decide."})
    try:
        with transaction.atomic():
            request = FundingRequest.objects.create(enrolment=enrolment, kind=kind, explanation=explanation.strip())
            record_event(
                actor=actor,
                action="programmes.support_requested",
                obj=request,
                organisation_id=enrolment.cohort.programme.provider_id,
                details={"kind": kind},
            )
    except IntegrityError:
        raise ValidationError(f"You already have a request for {SupportKind(kind).label.lower()} waiting.") from None
    _tell_admins(request)
    return request


def _tell_admins(request: FundingRequest) -> None:
    """Staff decide support requests, so they hear of each one (on commit, like every email)."""
    enrolment = request.enrolment
    provider = enrolment.cohort.programme.provider
    admins = list(
        User.objects.filter(memberships__organisation=provider, memberships__role=Role.PROGRAMME_ADMIN, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    if not admins:
        return
    learner = enrolment.learner
    body = "\n".join(
        [
            f"{learner.full_name or learner.email} ({enrolment.cohort}) asks for {request.get_kind_display().lower()}:",
            "",
            request.explanation,
            "",
            "Decide it from the learner's enrolment page in the cohort's staff pages.",
        ]
    )
    subject = f"Support request from {learner.full_name or learner.email}"
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=admins, from_email=settings.DEFAULT_FROM_EMAIL)
    )


@transaction.atomic
def decide_support(
    request: FundingRequest,
    *,
    actor: Any,
    approve: bool,
    note: str,
    reduced_amount: Decimal | str | None = None,
    instalments: int | None = None,
) -> FundingRequest:
    """Approve or decline; an approved reduced fee replaces the unpaid invoice with one for the new amount."""
    request = (
        FundingRequest.objects.select_for_update().select_related("enrolment__cohort__programme").get(pk=request.pk)
    )
    enrolment = request.enrolment
    require_cohort_staff(actor, enrolment.cohort)
    if request.decision != SupportDecision.PENDING:
        raise ValidationError(f"This request was already {request.get_decision_display().lower()}.")
    if not note.strip():
        raise ValidationError({"note": "Give the learner a sentence explaining the decision."})
    if approve and request.kind == SupportKind.REDUCED_FEE:
        if reduced_amount is None:
            raise ValidationError({"reduced_amount": "Give the reduced fee, before tax."})
        amount = money(reduced_amount)
        if not Decimal(0) <= amount < enrolment.fee_tier.amount:
            raise ValidationError({"reduced_amount": f"It must be less than the fee of {enrolment.fee_tier.amount}."})
        if enrolment.invoices.filter(state=InvoiceState.PAID).exists():
            raise ValidationError("The fee is already paid; refunds are made outside credo.")
        invoices.cancel_unpaid(enrolment, actor=actor, reason="Replaced after a reduced fee was approved")
        invoices.issue_invoice(enrolment, actor=actor, amount=amount)
        request.reduced_amount = amount
    if approve and request.kind == SupportKind.PAYMENT_PLAN:
        if not instalments or not 2 <= instalments <= 12:
            raise ValidationError({"instalments": "Give the number of instalments, from 2 to 12."})
        request.instalments = instalments
    request.decision = SupportDecision.APPROVED if approve else SupportDecision.DECLINED
    request.decision_note = note.strip()
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save()
    record_event(
        actor=actor,
        action=f"programmes.support_{request.decision}",
        obj=request,
        organisation_id=enrolment.cohort.programme.provider_id,
        details={
            "kind": request.kind,
            "note": request.decision_note,
            "reduced_amount": request.reduced_amount,
            "instalments": request.instalments,
        },
    )
    tell(
        enrolment,
        f"Your request for {request.get_kind_display().lower()}: {request.get_decision_display().lower()}",
        [
            f"Your request for {request.get_kind_display().lower()} is {request.get_decision_display().lower()}.",
            request.decision_note,
        ],
    )
    return request
