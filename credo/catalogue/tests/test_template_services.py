"""Editing a portfolio template: only drafts, positions stay 1..n, every problem says what to fix, all audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.audit.services import verify_chain
from credo.catalogue import services
from credo.catalogue.models import (
    EvidenceKind,
    EvidenceRequirement,
    PortfolioTemplate,
    Qualification,
    QualificationKind,
    Status,
    TemplateSection,
)
from credo.catalogue.services import RequirementSpec, SectionSpec
from credo.catalogue.tests.builders import build_small_catalogue, make_qualification

pytestmark = pytest.mark.django_db

NEW_VERSION = "Start a new version to change it."


@pytest.fixture
def draft(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    return make_qualification(catalogue_admin, awarding_body, "7000008", "Draft award")


def _sections(actor: User, qualification: Qualification, *titles: str) -> list[TemplateSection]:
    return [services.add_template_section(actor=actor, qualification=qualification, title=t) for t in titles]


def _layout(qualification: Qualification) -> list[tuple[int, str]]:
    return list(
        TemplateSection.objects.filter(template__qualification=qualification)
        .order_by("position")
        .values_list("position", "title")
    )


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def live(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    """A published award whose template has two sections, the first with one requirement."""
    small = build_small_catalogue(catalogue_admin, awarding_body, publish=False)
    first, _ = _sections(catalogue_admin, small.award, "Reflection", "Practice")
    services.add_evidence_requirement(
        actor=catalogue_admin, section=first, kind=EvidenceKind.TEXT, description="A reflective account"
    )
    return services.publish_qualification(actor=catalogue_admin, qualification=small.award)


# Introduction ------------------------------------------------------------------------------------


def test_setting_the_introduction_creates_the_template(catalogue_admin: User, draft: Qualification) -> None:
    template = services.set_template_introduction(
        actor=catalogue_admin, qualification=draft, introduction="  Show what you did.  "
    )
    assert template.introduction == "Show what you did."
    assert PortfolioTemplate.objects.get(qualification=draft).introduction == "Show what you did."
    event = AuditEvent.objects.get(action="catalogue.template_introduction_set")
    assert event.actor == catalogue_admin
    assert event.object_id == str(draft.pk)
    assert event.details == {"template_created": True, "characters": 18}
    services.set_template_introduction(actor=catalogue_admin, qualification=draft, introduction="Changed.")
    assert PortfolioTemplate.objects.get(qualification=draft).introduction == "Changed."
    assert _actions().count("catalogue.template_introduction_set") == 2


def test_a_micro_credential_has_a_template_too(catalogue_admin: User, awarding_body: Organisation) -> None:
    micro = make_qualification(catalogue_admin, awarding_body, "7000016", "Micro", QualificationKind.MICRO_CREDENTIAL)
    section = services.add_template_section(actor=catalogue_admin, qualification=micro, title="What you did")
    assert section.position == 1


# Sections ----------------------------------------------------------------------------------------


def test_sections_are_appended_in_order(catalogue_admin: User, draft: Qualification) -> None:
    first = services.add_template_section(
        actor=catalogue_admin,
        qualification=draft,
        title=" Reflection ",
        guidance="Look back.",
        min_words=300,
        max_words=500,
    )
    assert (first.position, first.title, first.suggested_length()) == (1, "Reflection", "300 to 500 words")
    _sections(catalogue_admin, draft, "Practice", "Review")
    assert _layout(draft) == [(1, "Reflection"), (2, "Practice"), (3, "Review")]
    events = AuditEvent.objects.filter(action="catalogue.template_section_added").order_by("seq")
    assert [e.details for e in events] == [
        {"position": 1, "title": "Reflection"},
        {"position": 2, "title": "Practice"},
        {"position": 3, "title": "Review"},
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "Give the section a title."),
        ({"title": "x" * 201}, "Shorten the section title to 200 characters or fewer (it has 201)."),
        (
            {"min_words": 500, "max_words": 300},
            "The suggested length runs from 500 down to 300 words: make the minimum no more than the maximum.",
        ),
        ({"min_words": 0}, "The suggested minimum length is 0 words: leave it blank, or give a whole number"),
        ({"max_words": -5}, "The suggested maximum length is -5 words"),
    ],
)
def test_a_bad_section_is_refused_with_what_to_fix(
    catalogue_admin: User, draft: Qualification, changes: dict[str, Any], message: str
) -> None:
    before = AuditEvent.objects.count()
    fields: dict[str, Any] = {"title": "Reflection", **changes}
    with pytest.raises(ValidationError) as refused:
        services.add_template_section(actor=catalogue_admin, qualification=draft, **fields)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert not TemplateSection.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_section_is_updated(catalogue_admin: User, draft: Qualification) -> None:
    (section,) = _sections(catalogue_admin, draft, "Reflection")
    updated = services.update_template_section(
        actor=catalogue_admin,
        section=section,
        title="Looking back",
        guidance="Be honest.",
        min_words=None,
        max_words=800,
    )
    section.refresh_from_db()
    assert (section.title, section.guidance, section.max_words, section.position) == (
        "Looking back",
        "Be honest.",
        800,
        1,
    )
    assert updated.suggested_length() == "up to 800 words"
    event = AuditEvent.objects.get(action="catalogue.template_section_updated")
    assert event.details == {"position": 1, "title": "Looking back", "fields": ["guidance", "max_words", "title"]}


def test_updating_a_section_checks_the_length(catalogue_admin: User, draft: Qualification) -> None:
    (section,) = _sections(catalogue_admin, draft, "Reflection")
    with pytest.raises(ValidationError, match="make the minimum no more than the maximum"):
        services.update_template_section(
            actor=catalogue_admin, section=section, title="Reflection", guidance="", min_words=900, max_words=100
        )
    section.refresh_from_db()
    assert (section.min_words, section.max_words) == (None, None)
    assert not AuditEvent.objects.filter(action="catalogue.template_section_updated").exists()


@pytest.mark.parametrize(
    ("remove", "left"),
    [
        (0, ["B", "C", "D"]),
        (1, ["A", "C", "D"]),
        (3, ["A", "B", "C"]),
    ],
)
def test_removing_a_section_keeps_positions_one_to_n(
    catalogue_admin: User, draft: Qualification, remove: int, left: list[str]
) -> None:
    sections = _sections(catalogue_admin, draft, "A", "B", "C", "D")
    services.add_evidence_requirement(
        actor=catalogue_admin, section=sections[remove], kind=EvidenceKind.LINK, description="A link"
    )
    services.remove_template_section(actor=catalogue_admin, section=sections[remove])
    assert _layout(draft) == list(enumerate(left, start=1))
    assert not EvidenceRequirement.objects.exists()
    event = AuditEvent.objects.get(action="catalogue.template_section_removed")
    assert event.details == {"position": remove + 1, "title": "ABCD"[remove]}


def test_a_section_already_removed_is_reported(catalogue_admin: User, draft: Qualification) -> None:
    (section,) = _sections(catalogue_admin, draft, "A")
    services.remove_template_section(actor=catalogue_admin, section=section)
    with pytest.raises(ValidationError, match="That section is no longer in the template"):
        services.remove_template_section(actor=catalogue_admin, section=section)


def test_sections_move_up_and_down(catalogue_admin: User, draft: Qualification) -> None:
    a, _, c = _sections(catalogue_admin, draft, "A", "B", "C")
    services.move_template_section(actor=catalogue_admin, section=c, direction="up")
    assert _layout(draft) == [(1, "A"), (2, "C"), (3, "B")]
    services.move_template_section(actor=catalogue_admin, section=a, direction="down")
    assert _layout(draft) == [(1, "C"), (2, "A"), (3, "B")]
    # A stale object (c still thinks it is third) is read afresh, not trusted.
    services.move_template_section(actor=catalogue_admin, section=c, direction="down")
    assert _layout(draft) == [(1, "A"), (2, "C"), (3, "B")]
    events = AuditEvent.objects.filter(action="catalogue.template_section_moved").order_by("seq")
    assert [e.details for e in events] == [
        {"title": "C", "from_position": 3, "to_position": 2},
        {"title": "A", "from_position": 1, "to_position": 2},
        {"title": "C", "from_position": 1, "to_position": 2},
    ]


def test_a_section_cannot_move_past_either_end(catalogue_admin: User, draft: Qualification) -> None:
    a, b = _sections(catalogue_admin, draft, "A", "B")
    with pytest.raises(ValidationError, match=r"Section 1 \(“A”\) is already the first section: it cannot move up."):
        services.move_template_section(actor=catalogue_admin, section=a, direction="up")
    with pytest.raises(ValidationError, match=r"Section 2 \(“B”\) is already the last section: it cannot move down."):
        services.move_template_section(actor=catalogue_admin, section=b, direction="down")
    with pytest.raises(ValidationError, match=r"A section moves “up” or “down”, not “sideways”\."):
        services.move_template_section(actor=catalogue_admin, section=a, direction="sideways")  # type: ignore[arg-type]
    assert _layout(draft) == [(1, "A"), (2, "B")]
    assert not AuditEvent.objects.filter(action="catalogue.template_section_moved").exists()


def test_moving_and_removing_close_gaps_left_by_an_import(catalogue_admin: User, draft: Qualification) -> None:
    template = PortfolioTemplate.objects.create(qualification=draft)
    for position, title in ((2, "A"), (5, "B"), (9, "C")):
        TemplateSection.objects.create(template=template, position=position, title=title)
    services.move_template_section(
        actor=catalogue_admin, section=TemplateSection.objects.get(title="C"), direction="up"
    )
    assert _layout(draft) == [(2, "A"), (5, "C"), (9, "B")]
    services.remove_template_section(actor=catalogue_admin, section=TemplateSection.objects.get(title="A"))
    assert _layout(draft) == [(1, "C"), (2, "B")]


# Evidence requirements ---------------------------------------------------------------------------


def test_evidence_is_added_in_order(catalogue_admin: User, draft: Qualification) -> None:
    (section,) = _sections(catalogue_admin, draft, "Practice")
    text = services.add_evidence_requirement(
        actor=catalogue_admin, section=section, kind=EvidenceKind.TEXT, description="  An account  "
    )
    attestation = services.add_evidence_requirement(
        actor=catalogue_admin,
        section=section,
        kind=EvidenceKind.ATTESTATION,
        description="A statement from someone who took part",
        min_count=2,
        attestor_relationship=" a participant ",
    )
    assert (text.position, text.description, text.min_count) == (1, "An account", 1)
    assert (attestation.position, attestation.min_count, attestation.attestor_relationship) == (2, 2, "a participant")
    events = AuditEvent.objects.filter(action="catalogue.template_requirement_added").order_by("seq")
    assert [e.details for e in events] == [
        {"section": 1, "kind": "text", "description": "An account"},
        {"section": 1, "kind": "attestation", "description": "A statement from someone who took part"},
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "attestation"}, "An attestation is written by someone: say who attests, e.g. “a participant”."),
        (
            {"kind": "file", "attestor_relationship": "a manager"},
            "Only an attestation names who attests: clear “a manager”, or make this evidence an attestation "
            "rather than document or file.",
        ),
        ({"min_count": 0}, "The evidence is asked for 0 times: ask for it at least once"),
        ({"min_count": 40000}, "(and at most 32,767 times)"),
        ({"description": "  "}, "Describe the evidence the learner must give."),
        ({"description": "x" * 301}, "Shorten the description to 300 characters or fewer (it has 301)."),
        ({"kind": "video"}, "“video” is not a kind of evidence: choose one of text, file, link, attestation."),
        (
            {"kind": "attestation", "attestor_relationship": "y" * 201},
            "Shorten who attests to 200 characters or fewer (it has 201).",
        ),
    ],
)
def test_bad_evidence_is_refused_with_what_to_fix(
    catalogue_admin: User, draft: Qualification, fields: dict[str, Any], message: str
) -> None:
    (section,) = _sections(catalogue_admin, draft, "Practice")
    before = AuditEvent.objects.count()
    arguments: dict[str, Any] = {"kind": "text", "description": "An account", **fields}
    with pytest.raises(ValidationError) as refused:
        services.add_evidence_requirement(actor=catalogue_admin, section=section, **arguments)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert not EvidenceRequirement.objects.exists()
    assert AuditEvent.objects.count() == before


def test_removing_evidence_renumbers_the_rest(catalogue_admin: User, draft: Qualification) -> None:
    (section,) = _sections(catalogue_admin, draft, "Practice")
    _, second, _ = (
        services.add_evidence_requirement(actor=catalogue_admin, section=section, kind="text", description=d)
        for d in ("One", "Two", "Three")
    )
    services.remove_evidence_requirement(actor=catalogue_admin, requirement=second)
    assert list(section.requirements.order_by("position").values_list("position", "description")) == [
        (1, "One"),
        (2, "Three"),
    ]
    event = AuditEvent.objects.get(action="catalogue.template_requirement_removed")
    assert event.details == {"section": 1, "kind": "text", "description": "Two"}
    with pytest.raises(ValidationError, match="That evidence requirement is no longer in the template"):
        services.remove_evidence_requirement(actor=catalogue_admin, requirement=second)


# Only drafts -------------------------------------------------------------------------------------

LIVE_CHANGES: list[tuple[str, Callable[[User, Qualification], Any]]] = [
    ("introduction", lambda u, q: services.set_template_introduction(actor=u, qualification=q, introduction="New")),
    ("add section", lambda u, q: services.add_template_section(actor=u, qualification=q, title="New")),
    (
        "update section",
        lambda u, q: services.update_template_section(
            actor=u, section=_first(q), title="New", guidance="", min_words=None, max_words=None
        ),
    ),
    ("remove section", lambda u, q: services.remove_template_section(actor=u, section=_first(q))),
    ("move section", lambda u, q: services.move_template_section(actor=u, section=_first(q), direction="down")),
    (
        "add evidence",
        lambda u, q: services.add_evidence_requirement(actor=u, section=_first(q), kind="text", description="New"),
    ),
    (
        "remove evidence",
        lambda u, q: services.remove_evidence_requirement(actor=u, requirement=_first(q).requirements.get()),
    ),
    (
        "replace",
        lambda u, q: services.replace_portfolio_template(actor=u, qualification=q, introduction="", sections=[]),
    ),
]


def _first(q: Qualification) -> TemplateSection:
    return TemplateSection.objects.get(template__qualification=q, position=1)


@pytest.mark.parametrize(("name", "change"), LIVE_CHANGES, ids=[n for n, _ in LIVE_CHANGES])
def test_a_live_template_cannot_change(
    catalogue_admin: User, live: Qualification, name: str, change: Callable[[User, Qualification], Any]
) -> None:
    before = AuditEvent.objects.count()
    layout = _layout(live)
    with pytest.raises(ValidationError) as refused:
        change(catalogue_admin, live)
    assert refused.value.messages == [
        f"{live.code} version 1 is live: its structure cannot change. Start a new version to change it."
    ]
    assert _layout(live) == layout
    assert EvidenceRequirement.objects.filter(section__template__qualification=live).count() == 1
    assert PortfolioTemplate.objects.get(qualification=live).introduction == ""
    assert AuditEvent.objects.count() == before


def test_a_new_version_copies_the_template_and_can_change_it(catalogue_admin: User, live: Qualification) -> None:
    draft = services.start_new_version(actor=catalogue_admin, qualification=live)
    services.add_template_section(actor=catalogue_admin, qualification=draft, title="Review")
    assert _layout(draft) == [(1, "Reflection"), (2, "Practice"), (3, "Review")]
    assert _layout(live) == [(1, "Reflection"), (2, "Practice")]


# Replacing the whole template --------------------------------------------------------------------


def test_the_whole_template_is_replaced_in_order(catalogue_admin: User, draft: Qualification) -> None:
    _sections(catalogue_admin, draft, "Old")
    template = services.replace_portfolio_template(
        actor=catalogue_admin,
        qualification=draft,
        introduction=" Build it up. ",
        sections=[
            SectionSpec(title="Context", min_words=100, max_words=200, is_sample=True),
            SectionSpec(
                title="Practice",
                guidance="What you did.",
                requirements=(
                    RequirementSpec(kind="text", description="An account"),
                    RequirementSpec(
                        kind="attestation", description="A statement", min_count=2, attestor_relationship="a peer"
                    ),
                ),
            ),
        ],
    )
    assert template.introduction == "Build it up."
    assert _layout(draft) == [(1, "Context"), (2, "Practice")]
    context, practice = TemplateSection.objects.filter(template=template).order_by("position")
    assert (context.min_words, context.max_words, context.is_sample) == (100, 200, True)
    assert list(practice.requirements.values_list("position", "kind", "min_count", "attestor_relationship")) == [
        (1, "text", 1, ""),
        (2, "attestation", 2, "a peer"),
    ]
    event = AuditEvent.objects.get(action="catalogue.template_replaced")
    assert event.details == {"sections": 2, "requirements": 2}
    assert verify_chain() == []


def test_a_bad_template_lists_every_problem_and_changes_nothing(catalogue_admin: User, draft: Qualification) -> None:
    services.set_template_introduction(actor=catalogue_admin, qualification=draft, introduction="Keep me")
    _sections(catalogue_admin, draft, "Old")
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.replace_portfolio_template(
            actor=catalogue_admin,
            qualification=draft,
            introduction="New",
            sections=[
                SectionSpec(title="Fine"),
                SectionSpec(title="", min_words=10, max_words=5),
                SectionSpec(
                    title="Evidence",
                    requirements=(
                        RequirementSpec(kind="text", description="Fine"),
                        RequirementSpec(kind="attestation", description="", min_count=0),
                    ),
                ),
            ],
        )
    assert refused.value.messages == [
        "Section 2: Give the section a title.",
        "Section 2: The suggested length runs from 10 down to 5 words: make the minimum no more than the maximum.",
        "Section 3, evidence 2: Describe the evidence the learner must give.",
        "Section 3, evidence 2: The evidence is asked for 0 times: ask for it at least once "
        "(and at most 32,767 times).",
        "Section 3, evidence 2: An attestation is written by someone: say who attests, e.g. “a participant”.",
    ]
    assert _layout(draft) == [(1, "Old")]
    assert PortfolioTemplate.objects.get(qualification=draft).introduction == "Keep me"
    assert AuditEvent.objects.count() == before


def test_replacing_creates_a_template_where_there_was_none(catalogue_admin: User, draft: Qualification) -> None:
    services.replace_portfolio_template(
        actor=catalogue_admin, qualification=draft, introduction="", sections=[SectionSpec(title="Only")]
    )
    assert _layout(draft) == [(1, "Only")]
    assert Qualification.objects.get(pk=draft.pk).status == Status.DRAFT
