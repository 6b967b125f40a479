"""Sampling plans, seeded draws and the moderator's decisions (services.moderation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    ModerationReview,
    ModerationState,
    Outcome,
    SamplingPlan,
)
from credo.assessment.services import moderation
from credo.assessment.services.common import LEAVES_THE_CENTRE
from credo.assessment.services.moderation import Candidate, Covered, choose
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort

from .builders import submitted
from .moderation_builders import complete_again, completed

pytestmark = pytest.mark.django_db


def _assessed(cohort: Cohort, assessor: User, count: int, *, outcome: str = Outcome.COMPETENT) -> list[Assessment]:
    return [
        completed(submitted(cohort, f"learner{i}-{outcome[:3]}@example.org"), assessor, outcome=outcome)
        for i in range(count)
    ]


# Plans ------------------------------------------------------------------------------------------------------------


def test_a_cohort_without_a_plan_follows_its_centres_then_the_default(
    cld_cohort: Cohort, centre: Organisation, internal_qa: User
) -> None:
    default = moderation.plan_for(cld_cohort)
    assert default.pk is None
    assert (default.percent, default.new_assessor_decisions) == (25, 5)
    centre_plan = moderation.set_sampling_plan(
        provider=centre, cohort=None, actor=internal_qa, percent=10, new_assessor_decisions=3
    )
    assert moderation.plan_for(cld_cohort) == centre_plan
    own = moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=50, new_assessor_decisions=0
    )
    assert moderation.plan_for(cld_cohort) == own
    assert AuditEvent.objects.filter(action="assessment.sampling_plan_set").count() == 2


def test_setting_the_plan_again_changes_it(cld_cohort: Cohort, centre: Organisation, centre_admin: User) -> None:
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=centre_admin, percent=10, new_assessor_decisions=3
    )
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=centre_admin, percent=40, new_assessor_decisions=2
    )
    plan = SamplingPlan.objects.get(cohort=cld_cohort)
    assert (plan.percent, plan.new_assessor_decisions) == (40, 2)


@pytest.mark.parametrize("who", ["assessor", "facilitator", "learner", "outsider", "other_centre_admin"])
def test_only_the_centres_admins_and_iqas_set_a_plan(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, centre: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        moderation.set_sampling_plan(
            provider=centre,
            cohort=cld_cohort,
            actor=request.getfixturevalue(who),
            percent=10,
            new_assessor_decisions=1,
        )


@pytest.mark.parametrize(
    ("percent", "decisions", "field"), [(101, 1, "percent"), (-1, 1, "percent"), (10, 1000, "new_assessor_decisions")]
)
def test_a_plan_out_of_range_is_refused(
    percent: int, decisions: int, field: str, cld_cohort: Cohort, centre: Organisation, internal_qa: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        moderation.set_sampling_plan(
            provider=centre, cohort=cld_cohort, actor=internal_qa, percent=percent, new_assessor_decisions=decisions
        )
    assert field in refused.value.message_dict


def test_a_plan_for_another_providers_cohort_is_refused(cld_cohort: Cohort, other_centre_admin: User) -> None:
    other = other_centre_admin.memberships.get().organisation
    with pytest.raises(PermissionDenied):
        moderation.set_sampling_plan(
            provider=other, cohort=cld_cohort, actor=other_centre_admin, percent=10, new_assessor_decisions=1
        )


# Drawing ----------------------------------------------------------------------------------------------------------


def test_every_not_yet_competent_is_sampled(
    cld_cohort: Cohort, centre: Organisation, internal_qa: User, assessor: User
) -> None:
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=0, new_assessor_decisions=0
    )
    competent = _assessed(cld_cohort, assessor, 3)
    nyc = _assessed(cld_cohort, assessor, 2, outcome=Outcome.NOT_YET_COMPETENT)
    sample = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="fixed")
    entries = {entry.assessment_id: entry for entry in sample.entries.all()}
    for assessment in nyc:
        assert entries[assessment.pk].state == ModerationState.PENDING
        assert "not yet competent" in entries[assessment.pk].reasons
    assert sum(entries[a.pk].state == ModerationState.PENDING for a in competent) <= 1  # at most a coverage pick


def test_each_new_assessors_first_decisions_are_sampled(
    cld_cohort: Cohort, centre: Organisation, internal_qa: User, assessor: User, second_assessor: User
) -> None:
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=0, new_assessor_decisions=2
    )
    mine = _assessed(cld_cohort, assessor, 3)
    first = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="a")
    states = {e.assessment_id: e.state for e in first.entries.all()}
    assert [states[a.pk] for a in mine] == [
        ModerationState.PENDING,
        ModerationState.PENDING,
        ModerationState.NOT_SAMPLED,
    ]
    reasons = first.entries.get(assessment=mine[0]).reasons
    assert "one of the assessor's first 2 decisions" in reasons
    # The next draw: the first assessor's two are behind them; the second assessor is new.
    more = [
        completed(submitted(cld_cohort, "late1@example.org"), assessor),
        completed(submitted(cld_cohort, "late2@example.org"), second_assessor),
    ]
    second = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="b")
    states = {e.assessment_id: e.state for e in second.entries.all()}
    assert states[more[0].pk] == ModerationState.NOT_SAMPLED
    assert states[more[1].pk] == ModerationState.PENDING
    assert second.number == 2


def test_coverage_samples_an_assessor_not_yet_sampled(
    cld_cohort: Cohort, centre: Organisation, internal_qa: User, assessor: User, second_assessor: User
) -> None:
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=0, new_assessor_decisions=0
    )
    _assessed(cld_cohort, assessor, 2)
    theirs = completed(submitted(cld_cohort, "b@example.org"), second_assessor)
    sample = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="cover")
    sampled = sample.entries.filter(state=ModerationState.PENDING)
    assert {e.assessment.assessor_id for e in sampled} == {assessor.pk, second_assessor.pk}
    assert any(
        "covers assessor Second Assessor not yet sampled" in r for r in sample.entries.get(assessment=theirs).reasons
    )


def test_coverage_samples_each_unit_not_yet_sampled(
    seg_cohort: Cohort, centre: Organisation, internal_qa: User, assessor: User
) -> None:
    moderation.set_sampling_plan(
        provider=centre, cohort=seg_cohort, actor=internal_qa, percent=0, new_assessor_decisions=0
    )
    _assessed(seg_cohort, assessor, 2)
    sample = moderation.draw_sample(cohort=seg_cohort, actor=internal_qa, seed="units")
    reasons = [r for e in sample.entries.all() for r in e.reasons]
    assert any(r.startswith("covers unit ") for r in reasons) or any(r.startswith("covers assessor") for r in reasons)
    sampled = sample.entries.filter(state=ModerationState.PENDING)
    units = set()
    for entry in sampled:
        units |= set(moderation.units_and_methods(entry.assessment.submission.manifest)[0])
    every = set()
    for entry in sample.entries.all():
        every |= set(moderation.units_and_methods(entry.assessment.submission.manifest)[0])
    assert units == every


def test_coverage_names_each_method() -> None:
    population = [
        Candidate(pk=1, assessor=1, assessor_name="A", not_yet_competent=False, methods=("text",)),
        Candidate(pk=2, assessor=1, assessor_name="A", not_yet_competent=False, methods=("file", "text")),
        Candidate(pk=3, assessor=1, assessor_name="A", not_yet_competent=False, methods=("attestation", "link")),
    ]
    chosen = choose(
        "s", population, percent=0, new_assessor_decisions=0, covered=Covered(assessors={1}, methods={"text"})
    )
    reasons = [r for rs in chosen.values() for r in rs]
    assert "covers method file not yet sampled" in reasons
    assert chosen[3] == ["covers method attestation not yet sampled"]  # the link came with it


def test_the_draw_records_its_seed_and_plan_and_releases_those_passed_by(
    cld_cohort: Cohort, internal_qa: User, assessor: User, django_capture_on_commit_callbacks: Any
) -> None:
    assessments = _assessed(cld_cohort, assessor, 8)
    with django_capture_on_commit_callbacks(execute=True):
        sample = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)
    assert len(sample.seed) == 16
    assert sample.plan["percent"] == 25
    assert sample.plan["new_assessor_decisions"] == 5
    assert sample.population == [a.pk for a in assessments]
    passed_by = sample.entries.filter(state=ModerationState.NOT_SAMPLED)
    assert passed_by.count() == 8 - sample.entries.filter(state=ModerationState.PENDING).count()
    for entry in passed_by:
        entry.assessment.refresh_from_db()
        assert entry.assessment.released_at is not None
    assert len(mail.outbox) == passed_by.count()
    assert moderation.reproduce(sample) == {
        e.assessment_id: e.reasons for e in sample.entries.exclude(state=ModerationState.NOT_SAMPLED)
    }
    event = AuditEvent.objects.get(action="assessment.sample_drawn")
    assert event.details["seed"] == sample.seed


def test_the_preview_is_what_the_draw_then_samples(cld_cohort: Cohort, internal_qa: User, assessor: User) -> None:
    _assessed(cld_cohort, assessor, 10)
    preview = moderation.preview_sample(cld_cohort, seed="same")
    assert not cld_cohort.moderation_samples.exists()
    sample = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="same")
    drawn = {e.assessment_id: e.reasons for e in sample.entries.exclude(state=ModerationState.NOT_SAMPLED)}
    assert {a.pk: reasons for a, reasons in preview} == drawn


def test_nothing_to_draw_is_refused(cld_cohort: Cohort, internal_qa: User) -> None:
    with pytest.raises(ValidationError, match="No completed assessments"):
        moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)


@pytest.mark.parametrize("who", ["assessor", "facilitator", "learner", "outsider", "other_centre_admin"])
def test_only_the_centres_admins_and_iqas_draw(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, assessor: User
) -> None:
    _assessed(cld_cohort, assessor, 1)
    with pytest.raises(PermissionDenied):
        moderation.draw_sample(cohort=cld_cohort, actor=request.getfixturevalue(who))


def test_an_assessment_is_drawn_once(cld_cohort: Cohort, internal_qa: User, assessor: User) -> None:
    _assessed(cld_cohort, assessor, 2)
    moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)
    with pytest.raises(ValidationError):
        moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)


# The pure choice: reproducible ----------------------------------------------------------------------------------

candidates = st.lists(
    st.builds(
        Candidate,
        pk=st.integers(1, 10_000),
        assessor=st.integers(1, 4),
        assessor_name=st.just("X"),
        not_yet_competent=st.booleans(),
        units=st.lists(st.sampled_from(["U1", "U2", "U3"]), max_size=2, unique=True).map(tuple),
        methods=st.lists(st.sampled_from(["text", "file", "link", "attestation"]), max_size=3, unique=True).map(tuple),
    ),
    max_size=30,
    unique_by=lambda c: c.pk,
)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.text(max_size=20),
    population=candidates,
    percent=st.integers(0, 100),
    first=st.integers(0, 3),
    shuffled=st.randoms(),
)
def test_the_same_seed_and_population_give_the_same_sample(
    seed: str, population: list[Candidate], percent: int, first: int, shuffled: Any
) -> None:
    again = list(population)
    shuffled.shuffle(again)
    one = choose(seed, population, percent=percent, new_assessor_decisions=first)
    two = choose(seed, again, percent=percent, new_assessor_decisions=first)
    assert one == two
    nyc = {c.pk for c in population if c.not_yet_competent}
    assert nyc <= set(one)
    assert {c.assessor for c in population} <= {c.assessor for c in population if c.pk in one}
    assert {u for c in population for u in c.units} <= {u for c in population if c.pk in one for u in c.units}
    assert {m for c in population for m in c.methods} <= {m for c in population if c.pk in one for m in c.methods}


# Moderating -------------------------------------------------------------------------------------------------------


@pytest.fixture
def drawn(cld_cohort: Cohort, centre: Organisation, internal_qa: User, assessor: User) -> Callable[..., Any]:
    def draw(count: int = 1, outcome: str = Outcome.COMPETENT) -> list[Any]:
        moderation.set_sampling_plan(
            provider=centre, cohort=cld_cohort, actor=internal_qa, percent=100, new_assessor_decisions=0
        )
        _assessed(cld_cohort, assessor, count, outcome=outcome)
        sample = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="m")
        return list(sample.entries.select_related("assessment"))

    return draw


def test_agreeing_releases_and_completes_the_sample_when_it_is_the_last(
    drawn: Callable[..., Any], internal_qa: User
) -> None:
    first, second = drawn(2)
    moderation.moderate(entry=first, actor=internal_qa, agreed=True, rationale="Sound.")
    first.sample.refresh_from_db()
    assert first.sample.completed_at is None
    assert not Assessment.objects.filter(LEAVES_THE_CENTRE).exists()
    entry = moderation.moderate(entry=second, actor=internal_qa, agreed=True, rationale="")
    assert entry.state == ModerationState.AGREED
    assert entry.assessment.released_at is not None
    first.sample.refresh_from_db()
    assert first.sample.completed_at is not None
    assert Assessment.objects.filter(LEAVES_THE_CENTRE).count() == 2


def test_a_referral_goes_back_to_the_assessor_then_is_reviewed_again(
    drawn: Callable[..., Any], internal_qa: User, django_capture_on_commit_callbacks: Any
) -> None:
    (entry,) = drawn(1)
    with django_capture_on_commit_callbacks(execute=True):
        referred = moderation.moderate(entry=entry, actor=internal_qa, agreed=False, rationale="Section 2 is thin.")
    assert referred.state == ModerationState.REFERRED
    assert referred.assessment.state == AssessmentState.REFERRED
    assert referred.assessment.released_at is None
    (email,) = mail.outbox
    assert email.to == ["assessor@credo.example"]
    assert "Section 2 is thin." in email.body
    with pytest.raises(ValidationError, match="back with the assessor"):
        moderation.moderate(entry=entry, actor=internal_qa, agreed=True, rationale="")
    complete_again(entry.assessment)
    agreed = moderation.moderate(entry=entry, actor=internal_qa, agreed=True, rationale="Now sound.")
    assert agreed.assessment.released_at is not None
    assert [r.agreed for r in ModerationReview.objects.filter(entry=entry)] == [False, True]


def test_a_referral_needs_a_rationale(drawn: Callable[..., Any], internal_qa: User) -> None:
    (entry,) = drawn(1)
    with pytest.raises(ValidationError) as refused:
        moderation.moderate(entry=entry, actor=internal_qa, agreed=False, rationale="  ")
    assert "rationale" in refused.value.message_dict


def test_nobody_moderates_their_own_assessment(cld_cohort: Cohort, centre: Organisation, internal_qa: User) -> None:
    MembershipFactory(user=internal_qa, organisation=centre, role=Role.ASSESSOR)
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=100, new_assessor_decisions=0
    )
    completed(submitted(cld_cohort, "own@example.org"), internal_qa)
    (entry,) = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa).entries.all()
    with pytest.raises(PermissionDenied, match="Conflict of interest"):
        moderation.moderate(entry=entry, actor=internal_qa, agreed=True, rationale="")


@pytest.mark.parametrize("who", ["assessor", "centre_admin", "learner", "outsider", "other_centre_admin"])
def test_only_an_iqa_moderates(who: str, request: pytest.FixtureRequest, drawn: Callable[..., Any]) -> None:
    (entry,) = drawn(1)
    with pytest.raises(PermissionDenied):
        moderation.moderate(entry=entry, actor=request.getfixturevalue(who), agreed=True, rationale="")


def test_an_agreed_or_passed_by_entry_cannot_be_moderated(
    cld_cohort: Cohort, centre: Organisation, drawn: Callable[..., Any], internal_qa: User, assessor: User
) -> None:
    (entry,) = drawn(1)
    moderation.moderate(entry=entry, actor=internal_qa, agreed=True, rationale="")
    with pytest.raises(ValidationError, match="already been agreed"):
        moderation.moderate(entry=entry, actor=internal_qa, agreed=True, rationale="")
    moderation.set_sampling_plan(
        provider=centre, cohort=cld_cohort, actor=internal_qa, percent=0, new_assessor_decisions=0
    )
    completed(submitted(cld_cohort, "passed@example.org"), assessor)
    (passed,) = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa).entries.all()
    assert passed.state == ModerationState.NOT_SAMPLED
    with pytest.raises(ValidationError, match="not in the sample"):
        moderation.moderate(entry=passed, actor=internal_qa, agreed=True, rationale="")
