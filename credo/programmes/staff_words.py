"""How staff pages, staff emails and exports name an enrolment's or an invoice's state.

The model's labels stay as they are (changing ``choices`` labels makes migrations); these say what each state means
for the person reading: an "applied" enrolment is a registration whose invoice is not yet paid.
"""

from __future__ import annotations

from credo.programmes.models import EnrolmentState, InvoiceState

ENROLMENT_STATE_FOR_STAFF: dict[str, str] = {
    EnrolmentState.WAITLISTED: "On the waiting list",
    EnrolmentState.APPLIED: "Registered, not yet paid",
    EnrolmentState.CONFIRMED: "Place confirmed, not yet studying",
    EnrolmentState.ACTIVE: "Studying",
    EnrolmentState.WITHDRAWN: "Withdrawn",
    EnrolmentState.DEFERRED: "Deferred to another cohort",
    EnrolmentState.LAPSED: "Lapsed",
    EnrolmentState.AWARDED: "Awarded: finished with the qualification",
}

INVOICE_STATE_FOR_STAFF: dict[str, str] = {
    InvoiceState.ISSUED: "Issued, not yet paid",
    InvoiceState.PAID: "Paid",
    InvoiceState.CANCELLED: "Cancelled",
}


def enrolment_state(state: str) -> str:
    """'Registered, not yet paid' for ``applied``; an unknown code is shown as it is rather than hidden."""
    return ENROLMENT_STATE_FOR_STAFF.get(str(state), str(state))


def invoice_state(state: str) -> str:
    return INVOICE_STATE_FOR_STAFF.get(str(state), str(state))


def enrolment_state_choices() -> list[tuple[str, str]]:
    """The states in their lifecycle order, for a filter."""
    return [(state.value, enrolment_state(state.value)) for state in EnrolmentState]
