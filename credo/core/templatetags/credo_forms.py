"""One error pattern for every form (GOV.UK's): a summary at the top of the page, "Error:" in the title.

A page's `<title>` is rendered before its content, so the forms are found in the template context
rather than where they are drawn: any bound form with errors among the context's values (directly,
or inside a list, tuple or dict one level down, as pages with one form per row pass them) counts.
`base.html` draws one summary at the top of `<main>` for those forms and marks them, so that
`_form.html` draws its own summary only for a form the page-level one did not find, such as an htmx
partial swapped into a page. credo.js moves focus to the summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeGuard

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField

register = template.Library()

#: Set on a form whose errors the page's summary already lists, so `_form.html` does not repeat them.
SUMMARISED = "_credo_error_summary_drawn"


# Types are read with type(), never isinstance(): the context holds lazy objects (the CSRF token, the user)
# whose isinstance() would evaluate them, setting a CSRF cookie on anonymous pages or querying the user.
def _is(value: Any, kinds: type | tuple[type, ...]) -> bool:
    return issubclass(type(value), kinds)


def _is_form(value: Any) -> TypeGuard[BaseForm]:
    return _is(value, BaseForm)


def _is_formset(value: Any) -> TypeGuard[BaseFormSet[Any]]:
    return _is(value, BaseFormSet)


def _candidates(value: Any) -> Iterator[Any]:
    yield value
    if _is(value, dict):
        yield from value.values()
    elif _is(value, (list, tuple)):
        for item in value:
            yield item
            if _is(item, dict):
                yield from item.values()


def _bound_forms(values: Iterable[Any]) -> Iterator[BaseForm | BaseFormSet]:
    seen: set[int] = set()
    for value in values:
        for candidate in _candidates(value):
            if (_is_form(candidate) or _is_formset(candidate)) and candidate.is_bound and id(candidate) not in seen:
                seen.add(id(candidate))
                yield candidate


def _has_errors(form: BaseForm | BaseFormSet) -> bool:
    if _is_formset(form):
        return bool(form.non_form_errors()) or any(form.errors)
    return bool(form.errors)


def failed_forms(context: template.Context) -> list[BaseForm | BaseFormSet]:
    """Every bound form (or formset) with errors that the page's context holds."""
    return [form for form in _bound_forms(context.flatten().values()) if _has_errors(form)]


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """'Error: ' when the page shows a form with errors, for the start of `<title>`."""
    return "Error: " if failed_forms(context) else ""


def error_anchor(field: BoundField) -> str:
    """The id a summary links to: the field's own control, or a group's first choice."""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _named(field: BoundField, error: object) -> str:
    return f"{field.label}: {error}" if field.label else str(error)


def _problems(form: BaseForm) -> list[dict[str, str]]:
    problems = [{"message": str(error), "anchor": ""} for error in form.non_field_errors()]
    for field in form.hidden_fields():
        problems += [{"message": f"{field.label}: {error}", "anchor": ""} for error in field.errors]
    for field in form.visible_fields():
        anchor = error_anchor(field)
        # The summary lists messages away from their fields, so each names its field ("Your full name: This
        # field is required."): Django's own messages do not.
        problems += [{"message": _named(field, error), "anchor": anchor} for error in field.errors]
    return problems


def _summary_forms(forms: Iterable[BaseForm | BaseFormSet]) -> list[BaseForm]:
    # A formset's rows are drawn with their own numbering (see programmes/setup/_tier.html); only forms
    # here, and the formset's own problems are left to the template that draws it.
    return [form for form in forms if _is_form(form) and form.errors]


@register.inclusion_tag("_error_summary.html", takes_context=True)
def page_error_summary(context: template.Context) -> dict[str, Any]:
    """The summary at the top of `<main>`, listing every problem of every form the page holds."""
    forms = _summary_forms(failed_forms(context))
    problems: list[dict[str, str]] = []
    for form in forms:
        setattr(form, SUMMARISED, True)
        problems += _problems(form)
    return {"problems": problems}


@register.inclusion_tag("_error_summary.html")
def form_error_summary(form: BaseForm | None) -> dict[str, Any]:
    """A summary for one form, unless the page's summary already lists its problems."""
    if form is None or not form.errors or getattr(form, SUMMARISED, False):
        return {"problems": []}
    setattr(form, SUMMARISED, True)
    return {"problems": _problems(form)}


@register.filter
def anchor(field: BoundField) -> str:
    return error_anchor(field)
