"""The demo's CLD terms agree with the seed ("assessed in Sept/Oct", after workshops from April to August) and with
every demo cohort's own page: the terms point to the cohort's assessment window rather than fixing months that a
cohort studying at another time of year would contradict."""

from __future__ import annotations

import pytest

from credo.front.demo import load_demo
from credo.programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_cld_terms_name_the_seeds_months_for_the_seeds_calendar_and_defer_to_each_cohort() -> None:
    load_demo()
    programme = Programme.objects.get(slug="cld-facilitation")
    terms = " ".join(programme.terms.split())

    assert "assessed in the assessment period your cohort's page gives" in terms
    assert "(September and October for an intake that studies from April to August)" in terms
    seed_calendar = [c for c in programme.cohorts.all() if (c.study_starts.month, c.study_ends.month) == (4, 8)]
    assert seed_calendar, "the demo keeps the seed's 2024 intake"
    for cohort in seed_calendar:
        assert (cohort.assessment_starts.month, cohort.assessment_ends.month) == (9, 10), cohort
