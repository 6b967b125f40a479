"""``{% load staff_words %}``: ``{{ enrolment.state|enrolment_state }}`` reads "Registered, not yet paid"."""

from __future__ import annotations

from django import template

from credo.programmes import staff_words

register = template.Library()


@register.filter
def enrolment_state(state: str) -> str:
    return staff_words.enrolment_state(state)


@register.filter
def invoice_state(state: str) -> str:
    return staff_words.invoice_state(state)
