"""Claims for certification: what a centre may claim, the lines a claim gets (units achieved, the qualification when
its rules of combination are met, the units carried in), what stops it being submitted, and editing it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import Assessment, AssessmentState, Claim, ClaimLine, ClaimState, ModerationSample
from credo.assessment.services import claims
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.credentials.models import Achievement, AchievementKind, Issuer
from credo.programmes.models import Cohort

from .claims_builders import award_units, certificate_cohort, holding, ready_to_claim, seg_certificate, staff

pytestmark = pytest.mark.django_db


def _by_kind(claim: claims.Claim) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"unit": [], "qualification": []}
    for line in claim.lines.select_related("achievement"):
        found["unit" if line.achievement.kind == AchievementKind.UNIT else "qualification"].append(
            line.achievement.code
        )
    return found


def test_claimable_lists_released_moderated_competent_outcomes_of_the_awarding_bodys_qualifications(
    seg_cohort: Cohort, centre: Organisation, awarding_body: Organisation, other_awarding_body: Organisation
) -> None:
    ready = ready_to_claim(seg_cohort, "jordan@example.org")
    not_released = ready_to_claim(seg_cohort, "sam@example.org")
    Assessment.objects.filter(pk=not_released.pk).update(released_at=None)
    unfinished = ready_to_claim(seg_cohort, "alex@example.org")
    ModerationSample.objects.filter(pk=unfinished.sample_entry.sample_id).update(completed_at=None)
    assert list(claims.claimable(centre, awarding_body)) == [ready]
    assert not claims.claimable(centre, other_awarding_body).exists()


def test_a_claim_has_a_line_per_unit_and_the_qualification_its_units_complete(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    units = [u.code for u in award_units(seg_cohort.programme.qualification)]
    assert claim.state == ClaimState.DRAFT
    assert _by_kind(claim) == {"unit": sorted(units), "qualification": [seg_cohort.programme.qualification.code]}
    assert all(line.assessment_id == assessment.pk for line in claim.lines.all())
    assert claims.check_claim(claim) == []
    assert not claims.claimable(centre, awarding_body).exists()  # on a live claim now
    assert AuditEvent.objects.filter(action="assessment.claim_built", object_id=str(claim.pk)).exists()


def test_units_already_held_are_carried_into_the_qualification_and_named_on_its_line(
    seg_cohort: Cohort,
    seg: Qualification,
    centre: Organisation,
    centre_admin: User,
    catalogue_admin: User,
    awarding_body: Organisation,
    ratifier: User,
    seg_issuer: Issuer,
) -> None:
    certificate = seg_certificate(catalogue_admin, awarding_body, seg)
    cohort = certificate_cohort(centre_admin, centre, certificate)
    own_unit = next(u for u in award_units(certificate) if u not in award_units(seg))
    assessment = ready_to_claim(cohort, "jordan@example.org", "Jordan Lee", units={own_unit.code})
    holding(assessment.learner, award_units(seg), ratifier)

    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])

    assert _by_kind(claim) == {"unit": [own_unit.code], "qualification": [certificate.code]}
    line = claim.lines.get(achievement__kind=AchievementKind.QUALIFICATION)
    assert line.carried_in == sorted(u.code for u in award_units(seg))
    (row,) = claims.summary(claim)
    assert row.qualification == line
    assert row.missing == []


def test_when_the_qualification_is_not_complete_the_claim_says_what_is_missing_in_the_progressions_words(
    seg: Qualification,
    centre: Organisation,
    centre_admin: User,
    catalogue_admin: User,
    awarding_body: Organisation,
    seg_issuer: Issuer,
) -> None:
    certificate = seg_certificate(catalogue_admin, awarding_body, seg)
    cohort = certificate_cohort(centre_admin, centre, certificate)
    own_unit = next(u for u in award_units(certificate) if u not in award_units(seg))
    assessment = ready_to_claim(cohort, "jordan@example.org", units={own_unit.code})

    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])

    assert _by_kind(claim) == {"unit": [own_unit.code], "qualification": []}
    (row,) = claims.summary(claim)
    missing_codes = ", ".join(u.code for u in award_units(seg))
    assert row.missing == [f"Mandatory: 2 more units needed: all of those listed. ({missing_codes})"]
    assert claims.check_claim(claim) == []  # the unit is still claimed: a unit certificate


def test_only_units_whose_criteria_are_all_met_are_claimed(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    first, second = sorted(u.code for u in award_units(seg_cohort.programme.qualification))
    assessment.judgements.filter(unit_code=second).update(met=None)

    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])

    assert _by_kind(claim) == {"unit": [first], "qualification": []}


def test_only_the_centres_programme_admins_build_claims(
    seg_cohort: Cohort,
    centre: Organisation,
    awarding_body: Organisation,
    internal_qa: User,
    external_qa: User,
    outsider: User,
    seg_issuer: Issuer,
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    for someone in (internal_qa, external_qa, outsider):
        with pytest.raises(PermissionDenied, match="programme admins"):
            claims.build_claim(centre=centre, awarding_body=awarding_body, actor=someone, assessments=[assessment])


def test_an_outcome_already_claimed_or_not_claimable_is_refused_by_name(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    with pytest.raises(ValidationError, match="Not claimable: Jordan Lee"):
        claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    with pytest.raises(ValidationError, match="at least one learner"):
        claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[])


def test_a_learner_who_already_holds_everything_has_nothing_to_claim(
    seg_cohort: Cohort,
    centre: Organisation,
    centre_admin: User,
    awarding_body: Organisation,
    ratifier: User,
    seg_issuer: Issuer,
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    holding(assessment.learner, award_units(seg_cohort.programme.qualification), ratifier)
    with pytest.raises(ValidationError, match="nothing to claim"):
        claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])


def test_check_claim_names_what_stops_submitting(
    seg_cohort: Cohort,
    centre: Organisation,
    centre_admin: User,
    awarding_body: Organisation,
    ratifier: User,
    seg_issuer: Issuer,
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.DRAFT, released_at=None)  # appeal upheld
    holding(assessment.learner, award_units(seg_cohort.programme.qualification)[:1], ratifier)

    problems = claims.check_claim(claim)

    assert any("Jordan Lee: the outcome is no longer released" in p for p in problems)
    assert any("Jordan Lee already holds" in p for p in problems)
    with pytest.raises(ValidationError) as refused:
        claims.submit_claim(claim=claim, actor=centre_admin)
    assert refused.value.messages == problems
    claim.refresh_from_db()
    assert claim.state == ClaimState.DRAFT


def test_learners_are_added_and_taken_off_while_the_claim_is_a_draft_only(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    first = ready_to_claim(seg_cohort, "jordan@example.org")
    second = ready_to_claim(seg_cohort, "sam@example.org")
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[first])
    claims.add_to_claim(claim=claim, actor=centre_admin, assessments=[second])
    assert {row.learner for row in claims.summary(claim)} == {first.learner, second.learner}

    claims.remove_from_claim(claim=claim, actor=centre_admin, learner=first.learner)
    assert list(claims.claimable(centre, awarding_body)) == [first]  # claimable again

    claims.submit_claim(claim=claim, actor=centre_admin)
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    with pytest.raises(ValidationError, match="waiting for external quality assurance"):
        claims.add_to_claim(claim=claim, actor=centre_admin, assessments=[first])
    with pytest.raises(ValidationError, match="can no longer be taken off"):
        claims.remove_from_claim(claim=claim, actor=centre_admin, learner=second.learner)
    with pytest.raises(ValidationError, match="only a draft or blocked claim"):
        claims.submit_claim(claim=claim, actor=centre_admin)


def test_an_empty_claim_cannot_be_submitted(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    claims.remove_from_claim(claim=claim, actor=centre_admin, learner=assessment.learner)
    with pytest.raises(ValidationError, match="no learners yet"):
        claims.submit_claim(claim=claim, actor=centre_admin)


def test_claim_lines_name_achievements_of_the_awarding_bodys_issuer(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    assert set(
        Achievement.objects.filter(pk__in=claim.lines.values("achievement")).values_list("issuer", flat=True)
    ) == {seg_issuer.pk}


def test_a_programme_admin_of_another_centre_cannot_claim_this_centres_outcomes(
    seg_cohort: Cohort, centre: Organisation, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    other = Organisation.objects.create(name="Other", slug="other", kind="provider", country="GB")
    admin = staff(other, Role.PROGRAMME_ADMIN, "admin@other.example")
    assessment = ready_to_claim(seg_cohort, "jordan@example.org")
    with pytest.raises(ValidationError, match="Not claimable"):
        claims.build_claim(centre=other, awarding_body=awarding_body, actor=admin, assessments=[assessment])


def test_the_database_refuses_one_outcome_on_two_claims(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    first = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    line = first.lines.first()
    assert line is not None
    second = Claim.objects.create(centre=centre, awarding_body=awarding_body, created_by=centre_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(
            claim=second, learner=line.learner, achievement=line.achievement, assessment=assessment
        )
