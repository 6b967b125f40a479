"""A programme's registration questions: set up by its programme admins, answered by everyone who registers.

Two kinds: a statement the learner must confirm (an eligibility statement: "I already work in communities,
facilitating community-led development"), and a question answered in the learner's own words, required or
optional. A programme asks none unless its admins add some. What was asked and answered is copied onto the
enrolment, as the accepted terms are, so editing a question later never rewrites an answer already given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.audit.services import record_event
from credo.programmes.models import Programme, QuestionKind, RegistrationQuestion

#: How many questions a programme may ask: a registration form, not a survey.
MAX_QUESTIONS = 10
#: The longest answer kept, in characters (a few paragraphs).
MAX_ANSWER = 2000
#: What a confirmed statement is recorded as.
CONFIRMED = "Confirmed"


@dataclass(frozen=True)
class QuestionDraft:
    """A question as an admin wrote it; ``id`` names the saved question it revises, None for a new one."""

    kind: str
    text: str
    required: bool = True
    id: int | None = None


def field_name(question: RegistrationQuestion) -> str:
    """The name of the question's field on the registration form, and the key of its problems."""
    return f"question_{question.pk}"


def _described(question: RegistrationQuestion | QuestionDraft) -> dict[str, Any]:
    return {"kind": question.kind, "text": question.text, "required": question.required}


@transaction.atomic
def set_registration_questions(
    programme: Programme, *, actor: Any, drafts: Sequence[QuestionDraft]
) -> list[RegistrationQuestion]:
    """Make the programme ask exactly ``drafts``, in that order: revise the ones named by id, add the new, remove
    the rest. Audited when anything changed. Answers already given are copies on their enrolments: unaffected."""
    # Checked here rather than with cohorts.require_programme_admin: cohorts calls this module.
    if Role.PROGRAMME_ADMIN not in roles_in(actor, programme.provider):
        raise PermissionDenied(f"Only {programme.provider}'s programme admins set up its registration questions.")
    if len(drafts) > MAX_QUESTIONS:
        raise ValidationError(f"Ask at most {MAX_QUESTIONS} questions when people register.")
    saved = {question.pk: question for question in programme.registration_questions.select_for_update()}
    before = [_described(question) for question in sorted(saved.values(), key=lambda q: (q.position, q.pk))]
    problems = []
    for number, draft in enumerate(drafts, start=1):
        if draft.kind not in QuestionKind.values:
            problems.append(f"Question {number}: choose whether it is a statement to confirm or a question.")
        if not draft.text.strip():
            problems.append(f"Question {number}: write its wording.")
        if draft.id is not None and draft.id not in saved:
            problems.append(f"Question {number} is not one of this programme's questions; reload the page.")
    if problems:
        raise ValidationError(problems)
    kept: list[RegistrationQuestion] = []
    for position, draft in enumerate(drafts):
        question = saved.pop(draft.id) if draft.id is not None else RegistrationQuestion(programme=programme)
        question.position = position
        question.kind = draft.kind
        question.text = draft.text.strip()
        question.required = draft.required or draft.kind == QuestionKind.STATEMENT  # a statement is always asked
        question.full_clean()
        question.save()
        kept.append(question)
    RegistrationQuestion.objects.filter(pk__in=saved).delete()
    after = [_described(question) for question in kept]
    if after != before:
        record_event(
            actor=actor,
            action="programmes.registration_questions_set",
            obj=programme,
            organisation_id=programme.provider_id,
            details={"before": before, "after": after},
        )
    return kept


def _confirmed(value: Any) -> bool:
    # A checkbox posts "on"; the API sends true.
    return value is True or (isinstance(value, str) and value.strip().lower() in {"on", "true", "yes"})


def answers_for(questions: Sequence[RegistrationQuestion], given: Mapping[int, Any]) -> list[dict[str, str]]:
    """What is kept on the enrolment: each question as it reads now, and the answer; ``given`` maps a question's id
    to a checkbox's value or an answer's text. Raises ValidationError keyed by each question's form field name."""
    problems: dict[str, str] = {}
    answers = []
    for question in questions:
        value = given.get(question.pk)
        if question.kind == QuestionKind.STATEMENT:
            if not _confirmed(value):
                problems[field_name(question)] = (
                    "Confirm this statement to register: the programme asks it of everyone."
                )
            answer = CONFIRMED
        else:
            answer = value.strip() if isinstance(value, str) else ""
            if question.required and not answer:
                problems[field_name(question)] = "Answer this question to register."
            elif len(answer) > MAX_ANSWER:
                problems[field_name(question)] = f"Keep your answer to {MAX_ANSWER} characters (it has {len(answer)})."
        answers.append({"kind": question.kind, "question": question.text, "answer": answer})
    if problems:
        raise ValidationError(problems)
    return answers
