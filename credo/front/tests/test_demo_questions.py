"""The demo's registration questions: the CLD programme asks the seed's statement, the SEG centre's programmes
nothing, and the 2024 learners' enrolments keep the statement they confirmed."""

from __future__ import annotations

import pytest

from credo.front.demo import load_demo
from credo.programmes.models import Enrolment, Programme

CLD_STATEMENT = "I already work in communities, facilitating community-led development"


@pytest.mark.django_db
def test_the_demos_cld_programme_asks_its_statement_and_the_seg_programmes_nothing() -> None:
    load_demo()

    asked = {
        programme.slug: [(q.kind, q.text) for q in programme.registration_questions.all()]
        for programme in Programme.objects.all()
    }
    assert asked == {
        "cld-facilitation": [("statement", CLD_STATEMENT)],
        "l2-award": [],
        "l3-certificate": [],
    }
    past = Enrolment.objects.filter(cohort__programme__slug="cld-facilitation", cohort__slug="2024").first()
    assert past is not None
    assert past.registration_answers == [{"kind": "statement", "question": CLD_STATEMENT, "answer": "Confirmed"}]
