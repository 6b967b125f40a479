"""Editing a portfolio template through the pages and the API: only the owner's programme admins, only drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.catalogue import services
from credo.catalogue.models import EvidenceKind, EvidenceRequirement, PortfolioTemplate, Qualification, TemplateSection
from credo.catalogue.tests.builders import build_small_catalogue, make_qualification

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]
API = "/api/v1/catalogue"
NEW_VERSION = "Start a new version to change it."


def _give_template(actor: User, q: Qualification) -> None:
    """Two sections, the first asking for one piece of written evidence."""
    first = services.add_template_section(actor=actor, qualification=q, title="Reflection")
    services.add_template_section(actor=actor, qualification=q, title="Practice")
    services.add_evidence_requirement(actor=actor, section=first, kind=EvidenceKind.TEXT, description="An account")


@pytest.fixture
def live(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    small = build_small_catalogue(catalogue_admin, awarding_body, publish=False)
    _give_template(catalogue_admin, small.award)
    return services.publish_qualification(actor=catalogue_admin, qualification=small.award)


@pytest.fixture
def draft(catalogue_admin: User, awarding_body: Organisation, live: Qualification) -> Qualification:
    q = make_qualification(catalogue_admin, awarding_body, "7000008", "Draft award")
    _give_template(catalogue_admin, q)
    return q


def _q(q: Qualification) -> dict[str, Any]:
    return {"slug": q.slug, "version": q.version}


def _section(q: Qualification, position: int = 1) -> TemplateSection:
    return TemplateSection.objects.get(template__qualification=q, position=position)


def _s(q: Qualification, position: int = 1) -> dict[str, Any]:
    return {**_q(q), "section_id": _section(q, position).pk}


def _layout(q: Qualification) -> list[tuple[int, str]]:
    return list(
        TemplateSection.objects.filter(template__qualification=q).order_by("position").values_list("position", "title")
    )


# (url name, kwargs for a qualification, method, form data) for every template page.
PAGES: list[tuple[str, Callable[[Qualification], dict[str, Any]], str, dict[str, Any]]] = [
    ("catalogue:template_edit", _q, "get", {}),
    ("catalogue:template_introduction", _q, "post", {"introduction": "What this portfolio is for."}),
    ("catalogue:template_section_add", _q, "post", {"title": "Review"}),
    ("catalogue:template_section_update", _s, "post", {"title": "Looking back", "min_words": "100"}),
    ("catalogue:template_section_move", _s, "post", {"direction": "down"}),
    ("catalogue:template_section_remove", _s, "post", {}),
    ("catalogue:template_requirement_add", _s, "post", {"kind": "link", "description": "A link", "min_count": "1"}),
    (
        "catalogue:template_requirement_remove",
        lambda q: {**_s(q), "requirement_id": _section(q).requirements.get().pk},
        "post",
        {},
    ),
]


@pytest.mark.parametrize("target", ["draft", "live"])
@pytest.mark.parametrize(("name", "kwargs", "method", "data"), PAGES, ids=[p[0].split(":")[1] for p in PAGES])
def test_template_pages_are_refused_to_everyone_but_the_owners_admins(
    client_for: ClientFor, draft: Qualification, live: Qualification, target: str, name: str,
    kwargs: Callable[[Qualification], dict[str, Any]], method: str, data: dict[str, Any],
    outsider: User, learner: User, external_qa: User, centre_admin: User, catalogue_admin: User,
) -> None:  # fmt: skip
    q = draft if target == "draft" else live
    url = reverse(name, kwargs=kwargs(q))
    before = AuditEvent.objects.count()
    layout = _layout(q)
    anonymous = getattr(client_for(None), method)(url, data)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    for user in (outsider, learner, external_qa, centre_admin):
        response = getattr(client_for(user), method)(url, data)
        # A draft they cannot see is "not found"; a published one they can see is "forbidden".
        expected = 404 if target == "draft" else 403
        assert response.status_code == expected, f"{user.email} got {response.status_code}"
    assert AuditEvent.objects.count() == before
    assert _layout(q) == layout
    admin = client_for(catalogue_admin)
    allowed = getattr(admin, method)(url, data)
    if target == "draft":
        assert allowed.status_code == (200 if method == "get" else 302)
        assert AuditEvent.objects.count() == before + (method == "post")
    else:
        # The owner's admin may ask, but a live template stays as it is: they are sent to start a new version.
        assert allowed.status_code == 302
        assert allowed["Location"] == live.get_absolute_url()
        assert NEW_VERSION in admin.get(allowed["Location"]).text
        assert AuditEvent.objects.count() == before
        assert _layout(q) == layout


def test_the_template_page_lists_sections_in_order_with_accessible_forms(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification
) -> None:
    response = client_for(catalogue_admin).get(reverse("catalogue:template_edit", kwargs=_q(draft)))
    html = response.text
    assert response.status_code == 200
    assert html.index("Section 1: Reflection") < html.index("Section 2: Practice")
    first, second = _section(draft, 1), _section(draft, 2)
    assert f'<h3 id="section-{first.pk}" tabindex="-1">Section 1: Reflection</h3>' in html
    assert 'Remove <span class="visually-hidden">section 2</span>' in html
    assert 'Move <span class="visually-hidden">section 1</span> down' in html
    assert 'Move <span class="visually-hidden">section 1</span> up' not in html
    assert 'Move <span class="visually-hidden">section 2</span> down' not in html
    assert 'Remove <span class="visually-hidden">evidence 1 from section 1</span>' in html
    assert f'<label for="section-{second.pk}-title">' in html
    assert f'<label for="section-{first.pk}-evidence-attestor_relationship">' in html
    assert '<label for="new-section-title">' in html
    assert '<label for="id_introduction">' in html
    assert "<legend>Title, guidance and length of section 2</legend>" in html
    assert "<legend>New evidence for section 1</legend>" in html
    assert "An account" in html


def test_the_qualification_page_links_to_the_template_of_a_draft_only(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification, live: Qualification
) -> None:
    client = client_for(catalogue_admin)
    assert reverse("catalogue:template_edit", kwargs=_q(draft)) in client.get(draft.get_absolute_url()).text
    assert reverse("catalogue:template_edit", kwargs=_q(live)) not in client.get(live.get_absolute_url()).text


def test_an_admin_edits_the_template_section_by_section(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification
) -> None:
    client = client_for(catalogue_admin)
    page = reverse("catalogue:template_edit", kwargs=_q(draft))

    response = client.post(reverse("catalogue:template_introduction", kwargs=_q(draft)), {"introduction": "Hi."})
    assert response["Location"] == page + "#introduction"
    assert PortfolioTemplate.objects.get(qualification=draft).introduction == "Hi."

    response = client.post(
        reverse("catalogue:template_section_add", kwargs=_q(draft)), {"title": "Review"}, follow=True
    )
    assert "Section “Review” added." in response.text
    assert _layout(draft) == [(1, "Reflection"), (2, "Practice"), (3, "Review")]

    review = _section(draft, 3)
    response = client.post(
        reverse("catalogue:template_section_update", kwargs=_s(draft, 3)),
        {"title": "Looking ahead", "guidance": "Plan.", "min_words": "100", "max_words": "300"},
        follow=True,
    )
    assert "Section 3 saved." in response.text
    review.refresh_from_db()
    assert (review.title, review.guidance, review.suggested_length()) == ("Looking ahead", "Plan.", "100 to 300 words")

    response = client.post(
        reverse("catalogue:template_section_move", kwargs=_s(draft, 3)), {"direction": "up"}, follow=True
    )
    assert "Section “Looking ahead” moved up." in response.text
    assert _layout(draft) == [(1, "Reflection"), (2, "Looking ahead"), (3, "Practice")]

    response = client.post(
        reverse("catalogue:template_requirement_add", kwargs=_s(draft, 2)),
        {"kind": "attestation", "description": "A statement", "min_count": "2", "attestor_relationship": "a peer"},
        follow=True,
    )
    assert "Evidence added to section 2." in response.text
    requirement = review.requirements.get()
    assert (requirement.kind, requirement.min_count, requirement.attestor_relationship) == ("attestation", 2, "a peer")

    response = client.post(
        reverse("catalogue:template_requirement_remove", kwargs={**_s(draft, 2), "requirement_id": requirement.pk}),
        follow=True,
    )
    assert "Evidence removed from section 2." in response.text
    assert not review.requirements.exists()

    response = client.post(reverse("catalogue:template_section_remove", kwargs=_s(draft, 1)), follow=True)
    assert "Section “Reflection” removed." in response.text
    assert _layout(draft) == [(1, "Looking ahead"), (2, "Practice")]
    assert not EvidenceRequirement.objects.filter(section__template__qualification=draft).exists()


@pytest.mark.parametrize(
    ("name", "kwargs", "data", "message"),
    [
        (
            "catalogue:template_requirement_add",
            _s,
            {"kind": "attestation", "description": "A statement", "min_count": "1"},
            "An attestation is written by someone: say who attests, e.g. “a participant”.",
        ),
        (
            "catalogue:template_requirement_add",
            _s,
            {"kind": "text", "description": "An account", "min_count": "0"},
            "How many, at least: Ensure this value is greater than or equal to 1.",
        ),
        (
            "catalogue:template_section_update",
            _s,
            {"title": "Reflection", "min_words": "500", "max_words": "200"},
            "make the minimum no more than the maximum.",
        ),
        ("catalogue:template_section_add", lambda q: _q(q), {"title": ""}, "Section title: This field is required."),
        (
            "catalogue:template_section_move",
            _s,
            {"direction": "up"},
            "Section 1 (“Reflection”) is already the first section: it cannot move up.",
        ),
    ],
)
def test_a_refused_change_is_shown_on_the_template_page(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification, name: str,
    kwargs: Callable[[Qualification], dict[str, Any]], data: dict[str, Any], message: str,
) -> None:  # fmt: skip
    before = AuditEvent.objects.count()
    response = client_for(catalogue_admin).post(reverse(name, kwargs=kwargs(draft)), data, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("catalogue:template_edit", kwargs=_q(draft)))
    assert message in response.text
    assert AuditEvent.objects.count() == before
    assert _layout(draft) == [(1, "Reflection"), (2, "Practice")]


def test_a_section_of_another_qualification_is_not_found(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification, live: Qualification
) -> None:
    url = reverse("catalogue:template_section_remove", kwargs={**_q(draft), "section_id": _section(live).pk})
    assert client_for(catalogue_admin).post(url).status_code == 404
    assert _layout(live) == [(1, "Reflection"), (2, "Practice")]


# The API -----------------------------------------------------------------------------------------

TEMPLATE = {
    "introduction": "Show what you did.",
    "sections": [
        {"title": "Context", "min_words": 100, "max_words": 300},
        {
            "title": "Practice",
            "guidance": "What happened.",
            "requirements": [
                {"kind": "text", "description": "An account"},
                {
                    "kind": "attestation",
                    "description": "A statement",
                    "min_count": 2,
                    "attestor_relationship": "a peer",
                },
            ],
        },
    ],
}


def _template_url(q: Qualification) -> str:
    return f"{API}/qualifications/{q.slug}/versions/{q.version}/template"


@pytest.mark.parametrize("target", ["draft", "live"])
def test_replacing_a_template_is_refused_to_everyone_but_the_owners_admins(
    client_for: ClientFor, draft: Qualification, live: Qualification, target: str,
    outsider: User, learner: User, external_qa: User, centre_admin: User,
) -> None:  # fmt: skip
    q = draft if target == "draft" else live
    before = AuditEvent.objects.count()
    anonymous = client_for(None).put(_template_url(q), TEMPLATE, content_type="application/json")
    assert anonymous.status_code == 401
    for user in (outsider, learner, external_qa, centre_admin):
        response = client_for(user).put(_template_url(q), TEMPLATE, content_type="application/json")
        assert response.status_code == (404 if target == "draft" else 403), f"{user.email}: {response.status_code}"
    assert AuditEvent.objects.count() == before
    assert _layout(q) == [(1, "Reflection"), (2, "Practice")]


def test_an_admin_replaces_a_drafts_template_through_the_api(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation, live: Qualification
) -> None:
    client = client_for(catalogue_admin)
    fresh = make_qualification(catalogue_admin, awarding_body, "7000016", "No template yet")
    created = client.put(_template_url(fresh), TEMPLATE, content_type="application/json")
    assert created.status_code == 201, created.json()
    template = created.json()["portfolio_template"]
    assert template["introduction"] == "Show what you did."
    assert [(s["position"], s["title"]) for s in template["sections"]] == [(1, "Context"), (2, "Practice")]
    assert template["sections"][1]["requirements"][1] == {
        "kind": "attestation",
        "description": "A statement",
        "min_count": 2,
        "attestor_relationship": "a peer",
    }
    # What a GET returns can be sent back, reordered: the order given is the order kept.
    body = client.get(f"{API}/qualifications/{fresh.slug}/versions/1").json()["portfolio_template"]
    body["sections"].reverse()
    replaced = client.put(_template_url(fresh), body, content_type="application/json")
    assert replaced.status_code == 200, replaced.json()
    assert [(s["position"], s["title"]) for s in replaced.json()["portfolio_template"]["sections"]] == [
        (1, "Practice"),
        (2, "Context"),
    ]
    assert AuditEvent.objects.filter(action="catalogue.template_replaced").count() == 2


def test_a_bad_template_lists_every_problem_and_changes_nothing(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification
) -> None:
    before = AuditEvent.objects.count()
    bad = {
        "introduction": "New",
        "sections": [
            {"title": "Fine"},
            {"title": " ", "min_words": 50, "max_words": 10},
            {
                "title": "Evidence",
                "requirements": [{"kind": "link", "description": "A link", "attestor_relationship": "x"}],
            },
        ],
    }
    response = client_for(catalogue_admin).put(_template_url(draft), bad, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "Section 2: Give the section a title.",
        "Section 2: The suggested length runs from 50 down to 10 words: make the minimum no more than the maximum.",
        "Section 3, evidence 1: Only an attestation names who attests: clear “x”, "
        "or make this evidence an attestation rather than link.",
    ]
    assert _layout(draft) == [(1, "Reflection"), (2, "Practice")]
    assert PortfolioTemplate.objects.get(qualification=draft).introduction == ""
    assert AuditEvent.objects.count() == before


def test_a_live_template_cannot_be_replaced_through_the_api(
    client_for: ClientFor, catalogue_admin: User, live: Qualification
) -> None:
    response = client_for(catalogue_admin).put(_template_url(live), TEMPLATE, content_type="application/json")
    assert response.status_code == 422
    assert NEW_VERSION in response.json()["detail"]
    assert _layout(live) == [(1, "Reflection"), (2, "Practice")]


def test_the_openapi_document_describes_the_template_endpoint(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    put = document["paths"][f"{API}/qualifications/{{slug}}/versions/{{version}}/template"]["put"]
    assert set(put["responses"]) == {"200", "201", "400", "401", "403", "404", "422"}
