"""The demo reproduces the two real programmes, and loading it twice changes nothing."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from credo.accounts.models import Membership, Organisation, Role, User
from credo.audit.models import AuditEvent
from credo.audit.services import verify_chain
from credo.catalogue.models import CentreApproval, LearningOutcome, Qualification, Unit
from credo.catalogue.progression import progression_for
from credo.front.demo import DEMO_PASSWORD, PEOPLE, load_demo

pytestmark = pytest.mark.django_db

L3_AWARD_UNITS = ["J/615/8322", "D/615/8309", "L/615/8323"]
L3_CERTIFICATE_ONLY = ["F/615/8318", "L/615/8306", "A/615/8320", "T/615/8316", "R/615/8310", "Y/615/8325"]


def test_the_command_prints_every_login_and_the_password() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert f"every demo login uses the password: {DEMO_PASSWORD}" in text
    for person in PEOPLE:
        assert person.email in text
    assert "outsider: belongs to no organisation" in text


@pytest.mark.usefixtures("demo_for_the_class")
class TestTheLoadedDemo:
    """Each test reads (or changes, in its own savepoint) the demo loaded once for the class."""

    def test_the_demo_has_the_three_seg_qualifications_and_the_micro_credential(self) -> None:
        live = {q.code: q for q in Qualification.objects.live().select_related("owner", "level")}
        assert set(live) == {"603/1939/2", "603/1941/0", "603/1942/2", "CLD-FACILITATION"}
        assert live["603/1942/2"].title == "SEG Awards Level 3 Certificate in Community Organising"
        assert live["CLD-FACILITATION"].owner.name == "Otago Polytechnic"
        assert live["CLD-FACILITATION"].level_note == "Equivalent to NZQF level 5"
        assert Unit.objects.count() == 12

    def test_the_l3_award_units_are_shared_with_the_l3_certificate(self) -> None:
        for code in L3_AWARD_UNITS:
            assert set(Qualification.objects.filter(rule_groups__units__code=code).values_list("code", flat=True)) == {
                "603/1941/0",
                "603/1942/2",
            }

    def test_a_learner_holding_the_l3_award_units_needs_six_more_for_the_certificate(self) -> None:
        results = {p.qualification.code: p for p in progression_for(L3_AWARD_UNITS)}
        assert results["603/1941/0"].complete
        certificate = results["603/1942/2"]
        assert not certificate.complete
        assert sorted(u.code for u in certificate.units_needed) == sorted(L3_CERTIFICATE_ONLY)

    def test_the_micro_credential_has_the_six_part_portfolio_from_the_seed(self) -> None:
        template = Qualification.objects.get(code="CLD-FACILITATION").portfolio_template
        sections = list(template.sections.prefetch_related("requirements"))
        assert [s.title for s in sections] == [
            "Background and current roles",
            "Case study",
            "Attestations",
            "Supporting documents",
            "Critical reflections",
            "Plan for future practice",
        ]
        attestations = [r.attestor_relationship for r in sections[2].requirements.all()]
        assert attestations == ["a participant", "a peer, mentor, supervisor or manager"]
        assert not any(s.is_sample for s in sections)

    def test_invented_content_is_labelled_sample_in_the_data_and_on_screen(self, client: Client) -> None:
        assert LearningOutcome.objects.exists()
        assert not LearningOutcome.objects.filter(is_sample=False).exists()
        page = client.get("/catalogue/units/y-615-8308/").text
        assert "Sample content" in page
        assert "not taken from the published unit specification" in page

    def test_every_organisation_has_its_people_and_an_outsider_has_none(self) -> None:
        for slug in ("seg-awards", "riverside-organising-centre", "otago-polytechnic", "inspiring-communities"):
            assert Membership.objects.filter(organisation__slug=slug, role=Role.PROGRAMME_ADMIN).exists()
        centre_roles = set(
            Membership.objects.filter(organisation__slug="inspiring-communities").values_list("role", flat=True)
        )
        assert {Role.FACILITATOR, Role.ASSESSOR, Role.INTERNAL_QA, Role.LEARNER} <= centre_roles
        assert Membership.objects.filter(organisation__slug="seg-awards", role=Role.EXTERNAL_QA).exists()
        assert Membership.objects.filter(organisation__slug="otago-polytechnic", role=Role.RATIFIER).exists()
        assert not Membership.objects.filter(user__email="outsider@elsewhere.example").exists()
        approved = set(CentreApproval.objects.values_list("centre__slug", "qualification_code"))
        assert ("riverside-organising-centre", "603/1942/2") in approved
        assert ("inspiring-communities", "CLD-FACILITATION") in approved

    def test_demo_people_can_sign_in(self, client: Client) -> None:
        for person in PEOPLE:
            assert client.login(username=person.email, password=DEMO_PASSWORD), person.email
            client.logout()

    def test_loading_the_demo_twice_changes_nothing(self) -> None:
        counts = (
            User.objects.count(),
            Membership.objects.count(),
            Organisation.objects.count(),
            AuditEvent.objects.count(),
        )
        load_demo()
        assert counts == (
            User.objects.count(),
            Membership.objects.count(),
            Organisation.objects.count(),
            AuditEvent.objects.count(),
        )
        assert verify_chain() == []

    def test_each_login_is_named_by_the_job_people_there_would_recognise(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        lines = {line.split()[0]: line for line in out.getvalue().splitlines() if "@" in line.split()[0]}
        assert (
            "Otago Polytechnic — credential staff (issues the micro-credential's badges)"
            in lines["admin@otago.example"]
        )
        assert "SEG Awards — qualification admin" in lines["catalogue@seg.example"]
        assert "[programme admin]" in lines["catalogue@seg.example"]  # and the role credo gives it
        assert all(person.job for person in PEOPLE)

    def test_the_demo_prints_the_logins_only_once_the_server_answers(self) -> None:
        out = StringIO()
        commands = "credo.front.management.commands.demo_logins"
        with (
            mock.patch(f"{commands}._answers", side_effect=[False, False, True]) as asked,
            mock.patch(f"{commands}.time.sleep") as slept,
        ):
            call_command("demo_logins", "--wait-for", "http://127.0.0.1:8000/healthz", stdout=out)
        assert asked.call_count == 3
        assert slept.call_count >= 2
        assert f"every demo login uses the password: {DEMO_PASSWORD}" in out.getvalue()

    def test_a_server_that_never_answers_is_named(self) -> None:
        with pytest.raises(CommandError, match="did not answer within 0 s"):
            call_command("demo_logins", "--wait-for", "http://127.0.0.1:9/healthz", "--timeout", "0", stdout=StringIO())

    def test_load_demo_can_leave_the_logins_for_later(self) -> None:
        out = StringIO()
        call_command("load_demo", "--no-logins", stdout=out)
        assert DEMO_PASSWORD not in out.getvalue()
