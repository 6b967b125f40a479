"""The shared builders make real submissions: a hashed snapshot a test of any stage can start from."""

from __future__ import annotations

import pytest

from credo.assessment.services.common import leaves_by_ratification
from credo.portfolios.services.submissions import verify_submission
from credo.programmes.models import Cohort

from .builders import submitted

pytestmark = pytest.mark.django_db


def test_a_cld_learner_submits_a_verified_snapshot(cld_cohort: Cohort) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    assert submission.attempt == 1
    assert verify_submission(submission, files=True)
    assert leaves_by_ratification(cld_cohort)


def test_a_seg_learner_submits_every_unit_mapped(seg_cohort: Cohort) -> None:
    submission = submitted(seg_cohort, "jordan@example.org")
    criteria = [c for s in submission.manifest["sections"] for i in s["items"] for c in i["criteria"]]
    assert len(criteria) == 4
    assert not leaves_by_ratification(seg_cohort)


def test_one_centre_runs_both_cohorts_at_once(cld_cohort: Cohort, seg_cohort: Cohort) -> None:
    assert cld_cohort.programme.provider_id == seg_cohort.programme.provider_id
    assert {cld_cohort.programme.slug, seg_cohort.programme.slug} == {"cld-facilitation", "organising"}
