"""Assigning and judging, through the services: who may, from which state, what is refused and why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory
from credo.assessment.models import Assessment, AssessmentSettings, AssessmentState, CohortAssessor, ModerationState
from credo.assessment.services import assessing, assigning
from credo.assessment.services.common import settings_for
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort

from .assessing_support import all_met, assigned, checked_in, completed, named, one_not_met, referred, tamper
from .builders import submitted

pytestmark = pytest.mark.django_db


# Naming a cohort's assessors ------------------------------------------------------------------------------------


def test_a_programme_admin_names_the_cohorts_assessors_once(cld_cohort: Cohort, centre_admin: User, assessor: User):
    named(cld_cohort, centre_admin, assessor)
    named(cld_cohort, centre_admin, assessor)
    assert list(CohortAssessor.objects.filter(cohort=cld_cohort).values_list("assessor", flat=True)) == [assessor.pk]
    assert AuditEvent.objects.filter(action="assessment.assessor_named").count() == 1


def test_only_someone_with_the_assessor_role_can_be_named(
    cld_cohort: Cohort, centre_admin: User, facilitator: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        named(cld_cohort, centre_admin, facilitator)
    assert "is not an assessor at Test Centre" in str(refused.value.message_dict["assessors"])


@pytest.mark.parametrize("who", ["assessor", "internal_qa", "facilitator", "other_centre_admin"])
def test_only_the_providers_programme_admins_name_assessors(
    cld_cohort: Cohort, assessor: User, who: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        named(cld_cohort, request.getfixturevalue(who), assessor)


# Assigning a submission -----------------------------------------------------------------------------------------


def test_assigning_makes_the_judgements_from_the_frozen_manifest(
    cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    assessment = assigned(submission, assessor, centre_admin)
    assert assessment.state == AssessmentState.ASSIGNED
    assert assessment.due_on == cld_cohort.assessment_ends
    assert assessment.learner == submission.portfolio.enrolment.learner
    assert list(assessment.judgements.values_list("key", "label")) == [
        ("section:1", "Section 1: Your CLD case study"),
        ("section:2", "Section 2: Critical reflection"),
        (f"competency:{cld_cohort.programme.qualification.competencies.get().pk}", "C1: 1"),  # the builder's competency
    ]
    event = AuditEvent.objects.get(action="assessment.assigned")
    assert event.details["assessor"] == assessor.pk
    assert event.details["self_assigned"] is False


def test_a_later_change_to_the_portfolio_does_not_change_what_is_judged(
    cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    submission.portfolio.sections.filter(position=2).update(title="Renamed after submitting")
    assessment = assigned(submission, assessor, centre_admin)
    assert assessment.judgements.get(key="section:2").label == "Section 2: Critical reflection"


def test_a_unit_award_is_judged_criterion_by_criterion_with_each_units_code(
    seg_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    assessment = assigned(submitted(seg_cohort, "jordan@example.org"), assessor, centre_admin)
    criteria = assessment.judgements.filter(key__startswith="criterion:")
    assert sorted(criteria.values_list("unit_code", flat=True)) == ["L/700/0901"] * 2 + ["R/700/0902"] * 2
    assert criteria.first().label.startswith("L/700/0901 AC1.1: Describe it")
    assert not assessment.judgements.filter(key__startswith="competency:").exists()


def test_an_assessor_named_for_the_cohort_takes_a_submission(
    cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor)
    submission = submitted(cld_cohort, "leilani@example.org")
    assert list(assigning.unassigned(cld_cohort)) == [submission]
    assessment = assigning.assign(submission=submission, assessor=assessor, actor=assessor)
    assert assessment.assigned_by == assessor
    assert list(assigning.unassigned(cld_cohort)) == []


def test_an_assessor_not_named_for_the_cohort_cannot_take_its_submissions(cld_cohort: Cohort, assessor: User) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    with pytest.raises(ValidationError, match="You are not one of this cohort's assessors"):
        assigning.assign(submission=submission, assessor=assessor, actor=assessor)


def test_an_assessor_cannot_give_a_submission_to_someone_else(
    cld_cohort: Cohort, centre_admin: User, assessor: User, second_assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor, second_assessor)
    submission = submitted(cld_cohort, "leilani@example.org")
    with pytest.raises(PermissionDenied):
        assigning.assign(submission=submission, assessor=second_assessor, actor=assessor)


@pytest.mark.parametrize("who", ["internal_qa", "facilitator", "other_centre_admin", "outsider"])
def test_nobody_else_assigns(cld_cohort: Cohort, assessor: User, who: str, request: pytest.FixtureRequest) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    with pytest.raises(PermissionDenied):
        assigning.assign(submission=submission, assessor=assessor, actor=request.getfixturevalue(who))


def test_a_submission_is_never_assessed_twice(
    cld_cohort: Cohort, centre_admin: User, assessor: User, second_assessor: User
) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    assigned(submission, assessor, centre_admin)
    named(cld_cohort, centre_admin, second_assessor)
    with pytest.raises(ValidationError, match="already has an assessor"):
        assigning.assign(submission=submission, assessor=second_assessor, actor=second_assessor)
    assert Assessment.objects.filter(submission=submission).count() == 1


def test_a_facilitator_of_the_learners_check_ins_may_not_assess_them(
    cld_cohort: Cohort, centre_admin: User, centre: Organisation, member: Callable[..., User]
) -> None:
    both = member(centre, Role.ASSESSOR, "tui@credo.example", "Tui Both")
    MembershipFactory(user=both, organisation=centre, role=Role.FACILITATOR)
    submission = submitted(cld_cohort, "leilani@example.org")
    checked_in(submission, both)
    named(cld_cohort, centre_admin, both)
    with pytest.raises(ValidationError) as refused:
        assigning.assign(submission=submission, assessor=both, actor=both)
    assert refused.value.message_dict["assessor"] == [
        "Conflict of interest: you facilitated this learner's 1:1 check-ins, and this cohort does not allow "
        "facilitators to assess their own learners."
    ]
    with pytest.raises(ValidationError, match="Conflict of interest: Tui Both facilitated"):
        assigning.assign(submission=submission, assessor=both, actor=centre_admin)


def test_a_cancelled_check_in_is_no_conflict(cld_cohort: Cohort, centre_admin: User, assessor: User) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    checked_in(submission, assessor, cancelled=True)
    assert assigned(submission, assessor, centre_admin).assessor == assessor


def test_a_cohort_may_allow_facilitators_to_assess_their_own_learners(
    cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    assessing.update_settings(
        cohort=cld_cohort,
        actor=centre_admin,
        facilitators_may_assess_own_learners=True,
        resubmission_days=28,
        appeal_days=20,
    )
    submission = submitted(cld_cohort, "leilani@example.org")
    checked_in(submission, assessor)
    assert assigned(submission, assessor, centre_admin).assessor == assessor


def test_nobody_assesses_their_own_work(cld_cohort: Cohort, centre_admin: User, centre: Organisation) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    learner = submission.portfolio.enrolment.learner
    MembershipFactory(user=learner, organisation=centre, role=Role.ASSESSOR)
    named(cld_cohort, centre_admin, learner)
    with pytest.raises(ValidationError, match="Conflict of interest: nobody assesses their own work"):
        assigning.assign(submission=submission, assessor=learner, actor=learner)


# Judging ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def assessment(cld_cohort: Cohort, centre_admin: User, assessor: User) -> Assessment:
    return assigned(submitted(cld_cohort, "leilani@example.org"), assessor, centre_admin)


def test_a_draft_keeps_the_work_and_raises_the_version(assessment: Assessment, assessor: User) -> None:
    saved = assessing.save_draft(
        assessment=assessment,
        actor=assessor,
        judgements={"section:1": (True, "A clear account.")},
        outcome="",
        feedback="So far so good.",
        version=1,
    )
    assert (saved.state, saved.version, saved.feedback) == (AssessmentState.DRAFT, 2, "So far so good.")
    assert saved.judgements.get(key="section:1").met is True
    assert saved.judgements.get(key="section:2").met is None


def test_a_stale_page_cannot_overwrite_newer_work(assessment: Assessment, assessor: User) -> None:
    assessing.save_draft(
        assessment=assessment, actor=assessor, judgements={}, outcome="", feedback="First tab.", version=1
    )
    with pytest.raises(assessing.StaleAssessmentError, match="saved again"):
        assessing.save_draft(
            assessment=assessment, actor=assessor, judgements={}, outcome="", feedback="Second tab.", version=1
        )
    assessment.refresh_from_db()
    assert assessment.feedback == "First tab."


@pytest.mark.parametrize("who", ["second_assessor", "centre_admin", "internal_qa", "outsider"])
def test_only_the_assigned_assessor_judges(assessment: Assessment, who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Only the assessor assigned"):
        assessing.save_draft(assessment=assessment, actor=actor, judgements={}, outcome="", feedback="", version=1)
    with pytest.raises(PermissionDenied):
        assessing.complete(
            assessment=assessment,
            actor=actor,
            judgements=all_met(assessment),
            outcome="competent",
            feedback="",
            declaration_accepted=True,
            version=1,
        )


def test_an_unknown_judgement_is_refused(assessment: Assessment, assessor: User) -> None:
    with pytest.raises(ValidationError, match="nothing to judge called criterion:99999"):
        assessing.save_draft(
            assessment=assessment,
            actor=assessor,
            judgements={"criterion:99999": (True, "")},
            outcome="",
            feedback="",
            version=1,
        )


def test_draft_then_complete_is_final_and_audited(assessment: Assessment, assessor: User) -> None:
    draft = assessing.save_draft(
        assessment=assessment, actor=assessor, judgements=all_met(assessment), outcome="", feedback="", version=1
    )
    done = assessing.complete(
        assessment=draft,
        actor=assessor,
        judgements=all_met(assessment),
        outcome="competent",
        feedback="Well evidenced.",
        declaration_accepted=True,
        version=draft.version,
    )
    assert done.state == AssessmentState.COMPLETED
    assert done.files_verified is True
    assert done.declaration == assessing.ASSESSOR_DECLARATION
    assert done.completed_at is not None
    assert done.released_at is None  # moderation releases it, not the assessor
    event = AuditEvent.objects.get(action="assessment.completed")
    assert event.details["outcome"] == "competent"
    with pytest.raises(ValidationError, match="can no longer be changed"):
        assessing.save_draft(
            assessment=done, actor=assessor, judgements={}, outcome="", feedback="", version=done.version
        )


def _complete(assessment: Assessment, **changes: object) -> Assessment:
    arguments: dict[str, object] = {
        "assessment": assessment,
        "actor": assessment.assessor,
        "judgements": all_met(assessment),
        "outcome": "competent",
        "feedback": "",
        "declaration_accepted": True,
        "version": assessment.version,
    }
    arguments.update(changes)
    return assessing.complete(**arguments)  # type: ignore[arg-type]  # a table of arguments, each checked by name


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"declaration_accepted": False}, "declaration_accepted", "Confirm the assessor's declaration"),
        ({"outcome": ""}, "outcome", "Choose the outcome"),
        ({"judgements": {}}, "judgements", "Not judged yet: Section 1: Your CLD case study"),
        ({"judgements": "one_not_met"}, "outcome", "competent only when everything is met"),
        ({"outcome": "not_yet_competent", "judgements": "one_not_met"}, "feedback", "Write feedback"),
        ({"outcome": "not_yet_competent", "feedback": "Hmm."}, "outcome", "Everything is judged met"),
    ],
)
def test_an_outcome_that_does_not_follow_is_refused(
    assessment: Assessment, changes: dict[str, object], field: str, words: str
) -> None:
    if changes.get("judgements") == "one_not_met":
        changes["judgements"] = one_not_met(assessment)
    with pytest.raises(ValidationError) as refused:
        _complete(assessment, **changes)
    assert words in " ".join(refused.value.message_dict[field])
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.ASSIGNED


def test_not_yet_competent_with_feedback_completes(assessment: Assessment) -> None:
    done = completed(assessment, competent=False)
    assert done.outcome == "not_yet_competent"
    assert done.judgements.filter(met=False).count() == 1


def test_a_submitted_file_that_changed_in_storage_stops_completion(assessment: Assessment) -> None:
    tamper(assessment.submission)
    with pytest.raises(ValidationError) as refused:
        _complete(assessment)
    assert "“agenda.pdf” is no longer the file that was submitted" in " ".join(refused.value.messages)
    assessment.refresh_from_db()
    assert (assessment.state, assessment.files_verified) == (AssessmentState.ASSIGNED, False)
    assert [check.matches for check in assessing.check_files(assessment.submission)] == [False]


def test_two_completes_from_one_page_make_one_completion(assessment: Assessment) -> None:
    _complete(assessment)
    with pytest.raises(ValidationError):
        _complete(assessment, version=1)
    assert AuditEvent.objects.filter(action="assessment.completed").count() == 1


def test_completing_a_referred_assessment_sends_it_back_to_the_moderator(
    assessment: Assessment, internal_qa: User
) -> None:
    done = completed(assessment, competent=False)
    entry = referred(done, internal_qa)
    done.refresh_from_db()
    assert done.state == AssessmentState.REFERRED
    draft = assessing.save_draft(
        assessment=done, actor=done.assessor, judgements={}, outcome="", feedback="Reconsidering.", version=done.version
    )
    assert draft.state == AssessmentState.REFERRED  # still referred while the assessor reworks it
    again = completed(draft, competent=True)
    entry.refresh_from_db()
    assert again.state == AssessmentState.COMPLETED
    assert entry.state == ModerationState.PENDING
    assert AuditEvent.objects.filter(action="assessment.completed").last().details["back_to_moderator"] is True


# Settings -------------------------------------------------------------------------------------------------------


def test_a_programme_admin_changes_the_cohorts_assessment_settings(cld_cohort: Cohort, centre_admin: User) -> None:
    assert settings_for(cld_cohort).resubmission_days == 28
    changed = assessing.update_settings(
        cohort=cld_cohort,
        actor=centre_admin,
        facilitators_may_assess_own_learners=True,
        resubmission_days=14,
        appeal_days=10,
    )
    assert (changed.resubmission_days, changed.appeal_days, changed.updated_by) == (14, 10, centre_admin)
    event = AuditEvent.objects.get(action="assessment.settings_changed")
    assert event.details["before"]["resubmission_days"] == 28
    assert AssessmentSettings.objects.filter(cohort=cld_cohort).count() == 1


@pytest.mark.parametrize(
    ("resubmission_days", "appeal_days", "field"), [(0, 20, "resubmission_days"), (28, 366, "appeal_days")]
)
def test_settings_out_of_range_are_refused(
    cld_cohort: Cohort, centre_admin: User, resubmission_days: int, appeal_days: int, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        assessing.update_settings(
            cohort=cld_cohort,
            actor=centre_admin,
            facilitators_may_assess_own_learners=False,
            resubmission_days=resubmission_days,
            appeal_days=appeal_days,
        )
    assert "between 1 and 365 days" in refused.value.message_dict[field][0]


@pytest.mark.parametrize("who", ["assessor", "internal_qa", "other_centre_admin"])
def test_only_the_providers_programme_admins_change_settings(
    cld_cohort: Cohort, who: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        assessing.update_settings(
            cohort=cld_cohort,
            actor=request.getfixturevalue(who),
            facilitators_may_assess_own_learners=True,
            resubmission_days=28,
            appeal_days=20,
        )
