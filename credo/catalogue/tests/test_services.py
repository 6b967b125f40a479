"""The catalogue's own rules: a published structure never changes silently; every change is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.audit.services import verify_chain
from credo.catalogue import services
from credo.catalogue.models import GroupKind, GroupUnit, Qualification, QualificationKind, Status
from credo.catalogue.tests.builders import build_small_catalogue, make_qualification, make_unit, qn, rqf

pytestmark = pytest.mark.django_db


def test_creating_a_qualification_makes_a_draft_version_one(catalogue_admin: User, awarding_body: Organisation) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "6031939", "Draft")
    assert (q.status, q.version, q.slug) == (Status.DRAFT, 1, "603-1939-2")
    event = AuditEvent.objects.get(action="catalogue.qualification_created")
    assert event.actor == catalogue_admin
    assert event.details == {"code": "603/1939/2", "version": 1}


def test_it_refuses_a_qualification_number_with_a_wrong_check_digit(
    catalogue_admin: User, awarding_body: Organisation
) -> None:
    framework = rqf()
    with pytest.raises(ValidationError, match=r"fails its check digit \(it should end in /2, not /7\)"):
        services.create_qualification(
            actor=catalogue_admin,
            owner=awarding_body,
            code="603/1939/7",
            title="Typo",
            kind=QualificationKind.AWARD,
            framework=framework,
            level=framework.levels.get(number=2),
        )
    assert not Qualification.objects.exists()


def test_it_refuses_a_code_already_in_the_catalogue(catalogue_admin: User, awarding_body: Organisation) -> None:
    make_qualification(catalogue_admin, awarding_body, "6031939", "First")
    with pytest.raises(ValidationError, match="603/1939/2 is already in the catalogue"):
        make_qualification(catalogue_admin, awarding_body, "6031939", "Second")


def test_a_provider_cannot_own_catalogue_entries(catalogue_admin: User, centre: Organisation) -> None:
    with pytest.raises(ValidationError, match="only awarding bodies and issuing institutions own catalogue entries"):
        make_unit(catalogue_admin, centre, "7000001", "Centre unit")


def test_publishing_needs_a_structure(catalogue_admin: User, awarding_body: Organisation) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "7000001", "Empty")
    with pytest.raises(ValidationError, match="Add at least one rule group with units"):
        services.publish_qualification(actor=catalogue_admin, qualification=q)
    q.refresh_from_db()
    assert q.status == Status.DRAFT


def test_an_optional_group_cannot_ask_for_more_units_than_it_has(
    catalogue_admin: User, awarding_body: Organisation
) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "7000001", "Q")
    group = services.add_rule_group(
        actor=catalogue_admin, qualification=q, name="Options", kind=GroupKind.OPTIONAL, min_units=3
    )
    services.add_unit_to_group(
        actor=catalogue_admin, group=group, unit=make_unit(catalogue_admin, awarding_body, "7000100", "U")
    )
    with pytest.raises(ValidationError, match="asks for 3 units but has only 1"):
        services.publish_qualification(actor=catalogue_admin, qualification=q)


def test_a_credit_minimum_needs_units_with_credit_values(catalogue_admin: User, awarding_body: Organisation) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "7000001", "Q")
    group = services.add_rule_group(
        actor=catalogue_admin, qualification=q, name="Options", kind=GroupKind.OPTIONAL, min_credits=10
    )
    unit = make_unit(catalogue_admin, awarding_body, "7000100", "U", credits=None)
    services.add_unit_to_group(actor=catalogue_admin, group=group, unit=unit)
    with pytest.raises(ValidationError, match=f"these units have no credit value: {unit.code}"):
        services.publish_qualification(actor=catalogue_admin, qualification=q)


@pytest.mark.parametrize(
    ("kind", "minimums", "message"),
    [
        (GroupKind.MANDATORY, {"min_units": 2}, "A mandatory group needs every unit"),
        (GroupKind.OPTIONAL, {}, "An optional group needs a minimum"),
    ],
)
def test_rule_groups_take_minimums_only_when_optional(
    catalogue_admin: User, awarding_body: Organisation, kind: str, minimums: dict[str, int], message: str
) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "7000001", "Q")
    with pytest.raises(ValidationError, match=message):
        services.add_rule_group(actor=catalogue_admin, qualification=q, name="G", kind=kind, **minimums)


def test_the_database_refuses_a_unit_twice_in_one_qualification(
    catalogue_admin: User, awarding_body: Organisation
) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body, publish=False)
    group = small.certificate.rule_groups.get(name="Optional units")
    with pytest.raises(ValidationError, match="is already in"):
        services.add_unit_to_group(actor=catalogue_admin, group=group, unit=small.shared_units[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupUnit.objects.create(group=group, unit=small.shared_units[0], qualification=small.certificate)


def test_a_live_qualification_refuses_structural_changes(catalogue_admin: User, awarding_body: Organisation) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    group = small.award.rule_groups.get()
    expected = "is live: its structure cannot change. Start a new version to change it."
    with pytest.raises(ValidationError, match=expected):
        services.update_qualification(actor=catalogue_admin, qualification=small.award, title="Renamed")
    with pytest.raises(ValidationError, match=expected):
        services.add_rule_group(actor=catalogue_admin, qualification=small.award, name="More", kind=GroupKind.MANDATORY)
    with pytest.raises(ValidationError, match=expected):
        services.remove_unit_from_group(actor=catalogue_admin, group=group, unit=small.shared_units[0])
    with pytest.raises(ValidationError, match=expected):
        services.remove_rule_group(actor=catalogue_admin, group=group)
    assert small.award.rule_groups.get().units.count() == 3
    small.award.refresh_from_db()
    assert small.award.title == "Test Level 3 Award"


def test_a_unit_in_a_published_qualification_refuses_changes(
    catalogue_admin: User, awarding_body: Organisation
) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    unit = small.shared_units[0]
    with pytest.raises(
        ValidationError, match=r"is part of published qualification\(s\) .* a new unit reference number"
    ):
        services.update_unit(actor=catalogue_admin, unit=unit, title="Changed")
    with pytest.raises(ValidationError, match="cannot change"):
        services.set_unit_outcomes(actor=catalogue_admin, unit=unit, outcomes=[])


def test_a_new_version_copies_the_structure_and_publishing_it_supersedes_the_old(
    catalogue_admin: User, awarding_body: Organisation
) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    draft = services.start_new_version(actor=catalogue_admin, qualification=small.certificate)
    assert (draft.code, draft.version, draft.status) == (small.certificate.code, 2, Status.DRAFT)
    assert [g.name for g in draft.rule_groups.all()] == ["Mandatory units", "Optional units"]
    assert draft.rule_groups.get(name="Mandatory units").units.count() == 5

    new_unit = make_unit(catalogue_admin, awarding_body, "7000300", "New option")
    services.add_unit_to_group(actor=catalogue_admin, group=draft.rule_groups.get(name="Optional units"), unit=new_unit)
    # The live version is untouched while the draft changes.
    assert small.certificate.rule_groups.get(name="Optional units").units.count() == 3

    services.publish_qualification(actor=catalogue_admin, qualification=draft)
    small.certificate.refresh_from_db()
    assert small.certificate.status == Status.SUPERSEDED
    assert Qualification.objects.get(code=small.certificate.code, status=Status.LIVE).version == 2
    event = AuditEvent.objects.filter(action="catalogue.qualification_published").last()
    assert event is not None
    assert event.details == {"version": 2, "superseded_versions": [1]}


def test_only_one_draft_version_at_a_time(catalogue_admin: User, awarding_body: Organisation) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    services.start_new_version(actor=catalogue_admin, qualification=small.award)
    with pytest.raises(ValidationError, match="already has a draft version"):
        services.start_new_version(actor=catalogue_admin, qualification=small.award)


def test_the_database_allows_only_one_live_version(catalogue_admin: User, awarding_body: Organisation) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    clone = Qualification.objects.get(pk=small.award.pk)
    clone.pk, clone.version = None, 2
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_withdrawing_needs_a_reason_and_is_audited(catalogue_admin: User, awarding_body: Organisation) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    with pytest.raises(ValidationError, match="Say why it is withdrawn"):
        services.withdraw_qualification(actor=catalogue_admin, qualification=small.award, reason="  ")
    services.withdraw_qualification(actor=catalogue_admin, qualification=small.award, reason="Replaced by 2027 suite")
    small.award.refresh_from_db()
    assert small.award.status == Status.WITHDRAWN
    assert AuditEvent.objects.get(action="catalogue.qualification_withdrawn").details == {
        "reason": "Replaced by 2027 suite"
    }


def test_every_catalogue_change_is_in_an_intact_audit_chain(catalogue_admin: User, awarding_body: Organisation) -> None:
    build_small_catalogue(catalogue_admin, awarding_body)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "catalogue.unit_created",
        "catalogue.qualification_created",
        "catalogue.rule_group_added",
        "catalogue.unit_added",
        "catalogue.qualification_published",
    } <= actions
    assert verify_chain() == []


def test_a_progression_route_links_codes(catalogue_admin: User, awarding_body: Organisation) -> None:
    small = build_small_catalogue(catalogue_admin, awarding_body)
    services.add_progression_route(
        actor=catalogue_admin, from_qualification=small.award, to_code=small.certificate.code
    )
    with pytest.raises(ValidationError, match="cannot lead to itself"):
        services.add_progression_route(actor=catalogue_admin, from_qualification=small.award, to_code=small.award.code)
    with pytest.raises(ValidationError, match="is not in the catalogue"):
        services.add_progression_route(actor=catalogue_admin, from_qualification=small.award, to_code=qn("6000009"))
