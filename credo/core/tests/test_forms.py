"""A service's refusal lands beside the field that caused it, or at the top of the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from credo.core.forms import add_service_errors, problems_by_field


class TitleForm(forms.Form):
    title = forms.CharField()


def test_a_message_keyed_by_a_field_of_the_form_is_shown_beside_it() -> None:
    form = TitleForm({"title": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"title": "Give the evidence a title.", "quota": "Too big."}))
    assert form.errors["title"] == ["Give the evidence a title."]
    assert form.non_field_errors() == ["Too big."], "a field the form does not have goes to the top"


def test_a_message_tied_to_no_field_goes_to_the_top() -> None:
    form = TitleForm({"title": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError("The portfolio has been submitted."))
    assert form.non_field_errors() == ["The portfolio has been submitted."]
    assert problems_by_field(ValidationError(["One", "Two"])) == {"__all__": ["One", "Two"]}
