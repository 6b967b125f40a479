"""One error pattern on every form (GOV.UK's): the summary first in main, "Error:" in the title,
each message linked to its field and described beside it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


class _Choice(forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your passport.")
    kind = forms.ChoiceField(label="What would help", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Nothing was saved: try again.")


def _render(source: str, **context: object) -> str:
    return Template("{% load credo_forms %}" + source).render(Context(context))


def test_a_refused_profile_says_error_in_the_title_and_summarises_first(client_for: ClientFor, learner: User) -> None:
    response = client_for(learner).post(reverse("accounts:profile"), {"full_name": "", "time_zone": ""})
    html = response.text
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert title.group(1).startswith("Error: ")
    main = html[html.index('<main id="main"') :]
    # The summary comes before anything else in main, the page's heading included.
    assert main.index('class="error-summary"') < main.index("<h1")
    assert main.count("There is a problem") == 1
    assert '<a href="#id_full_name">' in main
    # The message beside the field is the one the input's aria-describedby names.
    assert 'aria-describedby="id_full_name_helptext id_full_name_error"' in main
    assert 'id="id_full_name_error"' in main
    assert 'aria-invalid="true"' in main


def test_a_page_without_errors_has_a_plain_title(client_for: ClientFor, learner: User) -> None:
    html = client_for(learner).get(reverse("accounts:profile")).text
    assert "Error:" not in html
    assert "error-summary" not in html


def test_a_successful_post_shows_its_result_first_in_main(client_for: ClientFor, learner: User) -> None:
    response = client_for(learner).post(reverse("accounts:profile"), {"full_name": "Ana", "time_zone": ""}, follow=True)
    main = response.text[response.text.index('<main id="main"') :]
    assert main.index('class="messages" role="status" tabindex="-1"') < main.index("<h1")


def test_the_summary_lists_non_field_hidden_and_grouped_fields() -> None:
    form = _Choice(data={"name": "", "kind": "", "token": ""})
    html = _render("{% form_error_summary form %}", form=form)
    assert "Nothing was saved: try again." in html
    assert "Token: This field is required." in html  # a hidden field has nothing to link to
    assert '<a href="#id_name">' in html
    assert '<a href="#id_kind_0">' in html  # a radio group: its first choice


def test_a_radio_group_is_a_fieldset_described_by_its_message() -> None:
    form = _Choice(data={"name": "x", "kind": "", "token": "t"})
    html = Template('{% include "_form.html" %}').render(Context({"form": form}))
    assert "<legend>What would help</legend>" in html
    assert 'aria-describedby="id_kind_error"' in html
    assert 'id="id_kind_error"' in html
    assert 'id="id_kind_0"' in html


def test_the_page_summary_is_not_repeated_by_the_form() -> None:
    form = _Choice(data={"name": "", "kind": "a", "token": "t"})
    html = _render('{% error_title_prefix %}{% page_error_summary %}{% include "_form.html" %}', form=form)
    assert html.startswith("Error: ")
    assert html.count("There is a problem") == 1


def test_a_form_alone_in_a_partial_still_gets_its_summary() -> None:
    form = _Choice(data={"name": "", "kind": "a", "token": "t"})
    assert "There is a problem" in Template('{% include "_form.html" %}').render(Context({"form": form}))


def test_forms_one_level_down_in_the_context_are_found() -> None:
    failed = _Choice(data={"name": "", "kind": "a", "token": "t"})
    editors = [{"number": 1, "form": _Choice()}, {"number": 2, "form": failed}]
    assert _render("{% error_title_prefix %}", editors=editors).startswith("Error: ")
    assert _render("{% error_title_prefix %}", editors=[{"form": _Choice()}]) == ""


def test_a_formset_with_errors_puts_error_in_the_title() -> None:
    rows = forms.formset_factory(_Choice)(data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": "x"})
    assert _render("{% error_title_prefix %}", tiers=rows).startswith("Error: ")


def test_a_page_reporting_other_problems_can_say_error_and_keep_its_own_summary(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template import RequestContext

    request = rf.get("/")
    request.user = AnonymousUser()
    page = Template(
        '{% extends "base.html" %}{% block title_prefix %}{% if problem %}Error: {% endif %}{% endblock %}'
        "{% block title %}Verify{% endblock %}{% block error_summary %}{% endblock %}"
        '{% block content %}<div class="error-summary">{{ problem }}</div>{% include "_form.html" %}{% endblock %}'
    )
    form = _Choice(data={"name": "", "kind": "a", "token": "t"})
    html = page.render(RequestContext(request, {"problem": "That file is not a credential.", "form": form}))
    assert "<title>Error: Verify · credo</title>" in html
    # The page left out the summary at the top, so the form draws its own where it stands.
    assert html.count("There is a problem") == 1
    assert html.index("That file is not a credential.") < html.index("There is a problem")


def test_looking_for_forms_leaves_an_anonymous_page_without_a_csrf_cookie(client: Client) -> None:
    response = client.get(reverse("catalogue:index"))
    assert response.status_code == 200
    assert "csrftoken" not in response.cookies
