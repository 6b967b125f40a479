"""Registration questions belong to the programme: its admins set them up (none by default), the registration form
and the API ask them, required ones are refused when missing, and the enrolment keeps them as asked and answered."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, Enrolment, Programme, QuestionKind, RegistrationQuestion
from credo.programmes.services import cohorts, questions
from credo.programmes.services.questions import QuestionDraft

from .builders import cohort_2024, nz
from .staff_helpers import other_provider_admin
from .test_setup_views import programme_data, provider_member

SignIn = Callable[[User | None], Client]
CLD_STATEMENT = "I already work in communities, facilitating community-led development"
COHORT_URL = "/programmes/inspiring-test/cld-facilitation/2024/"
REGISTER_URL = f"{COHORT_URL}register/"
API = "/api/v1/programmes/public/programmes/inspiring-test/cld-facilitation"
EDIT_URL = "/programmes/setup/inspiring-test/cld-facilitation/edit/"
FORM = {"organisation_name": "Ōtautahi Community Trust", "organisation_type": "community", "terms_accepted": "on"}


@pytest.fixture(autouse=True)
def during_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 2, 1, 10))


def ask(programme: Programme, admin: User, *drafts: QuestionDraft) -> list[RegistrationQuestion]:
    return questions.set_registration_questions(programme, actor=admin, drafts=list(drafts))


STATEMENT = QuestionDraft(kind=QuestionKind.STATEMENT, text=CLD_STATEMENT)
ROLE_QUESTION = QuestionDraft(kind=QuestionKind.QUESTION, text="What is your current role?", required=True)
ACCESS_QUESTION = QuestionDraft(
    kind=QuestionKind.QUESTION, text="Anything we should know about access?", required=False
)


@pytest.fixture
def asked(programme: Programme, provider_admin: User, cohort: Cohort) -> list[RegistrationQuestion]:
    return ask(programme, provider_admin, STATEMENT, ROLE_QUESTION, ACCESS_QUESTION)


def field(question: RegistrationQuestion) -> str:
    return f"question_{question.pk}"


class TestTheRegistrationForm:
    def test_a_programme_asks_nothing_by_default(
        self, cohort: Cohort, applicant: User, client_for: SignIn, programme: Programme
    ) -> None:
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        assert "already work in communities" not in page
        assert 'name="question_' not in page

        response = client_for(applicant).post(REGISTER_URL, FORM)

        assert response.status_code == 302, response.content.decode()
        assert Enrolment.objects.get().registration_answers == []

    def test_the_programmes_own_questions_appear_in_order_before_the_consent(
        self, asked: list[RegistrationQuestion], applicant: User, client_for: SignIn
    ) -> None:
        page = client_for(applicant).get(REGISTER_URL).content.decode()
        statement, role, _ = asked
        assert re.search(rf'<input type="checkbox" name="{field(statement)}"', page)
        assert re.search(rf'<textarea name="{field(role)}"', page)
        positions = [page.index(text) for text in (CLD_STATEMENT, "What is your current role?", "access?")]
        assert positions == sorted(positions)
        assert positions[-1] < page.index('name="terms_accepted"')
        assert "Optional." in page  # the optional question says so

    def test_missing_answers_are_refused_with_the_summary_first_linked_to_each_field(
        self, asked: list[RegistrationQuestion], applicant: User, client_for: SignIn
    ) -> None:
        statement, role, _ = asked

        response = client_for(applicant).post(REGISTER_URL, FORM)

        assert response.status_code == 422
        page = response.content.decode()
        assert re.search(r"<title>\s*Error: ", page)
        summary = page.index('class="error-summary"')
        assert summary < page.index('id="fees-heading"'), "the summary must come before the fees"
        assert 'tabindex="-1"' in page[summary : page.index(">", summary)]  # credo.js focuses it
        assert f'<a href="#id_{field(statement)}">{CLD_STATEMENT}: Confirm this statement to register' in page
        assert f'<a href="#id_{field(role)}">What is your current role?: Answer this question to register.' in page
        assert f'id="id_{field(role)}_error"' in page  # the message beside the field, which points to it
        assert not Enrolment.objects.exists()

    def test_an_empty_form_lists_the_questions_problems_with_every_other(
        self, asked: list[RegistrationQuestion], applicant: User, client_for: SignIn
    ) -> None:
        statement, role, access = asked

        page = client_for(applicant).post(REGISTER_URL, {"organisation_name": ""}).content.decode()

        assert f'href="#id_{field(statement)}"' in page
        assert f'href="#id_{field(role)}"' in page
        assert f'href="#id_{field(access)}"' not in page  # optional
        assert 'href="#id_organisation_name"' in page
        assert not Enrolment.objects.exists()

    def test_answers_are_kept_as_asked_even_after_the_admin_edits_the_questions(
        self,
        asked: list[RegistrationQuestion],
        programme: Programme,
        provider_admin: User,
        applicant: User,
        client_for: SignIn,
    ) -> None:
        statement, role, access = asked
        answers = {field(statement): "on", field(role): "  Community worker at the trust  ", field(access): ""}

        response = client_for(applicant).post(REGISTER_URL, {**FORM, **answers})

        assert response.status_code == 302, response.content.decode()
        cohorts.update_programme(
            actor=provider_admin,
            programme=programme,
            registration_questions=[
                QuestionDraft(kind=QuestionKind.STATEMENT, text="I facilitate CLD today", id=statement.pk)
            ],
        )
        enrolment = Enrolment.objects.get()
        assert enrolment.registration_answers == [
            {"kind": "statement", "question": CLD_STATEMENT, "answer": "Confirmed"},
            {"kind": "question", "question": "What is your current role?", "answer": "Community worker at the trust"},
            {"kind": "question", "question": "Anything we should know about access?", "answer": ""},
        ]
        staff_api = client_for(provider_admin).get(
            f"/api/v1/programmes/cohorts/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}"
        )
        assert staff_api.json()["registration_answers"][0] == {
            "kind": "statement",
            "question": CLD_STATEMENT,
            "answer": "Confirmed",
        }
        staff_page = client_for(provider_admin).get(
            f"/programmes/staff/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}/"
        )
        assert staff_page.status_code == 200
        shown = staff_page.content.decode()
        assert CLD_STATEMENT in shown
        assert "Community worker at the trust" in shown
        assert "I facilitate CLD today" not in shown
        own = client_for(applicant).get(f"/programmes/my/{enrolment.pk}/").content.decode()
        assert "What you told us when you registered" in own
        assert CLD_STATEMENT in own
        assert "Community worker at the trust" in own
        assert "(left unanswered: it was optional)" in own


class TestAnSEGProgramme:
    def test_a_programme_without_questions_never_asks_the_cld_statement(
        self, provider_admin: User, provider: Organisation, micro_credential: Qualification, applicant: User,
        client_for: SignIn, programme: Programme, cohort: Cohort,
    ) -> None:  # fmt: skip
        ask(programme, provider_admin, STATEMENT)  # the CLD programme asks it
        seg = cohorts.create_programme(
            actor=provider_admin, provider=provider, qualification=micro_credential, name="SEG Level 2 Award",
            slug="seg-l2", summary="Community organising, level 2.",
        )  # fmt: skip
        cohort_2024(provider_admin, seg)

        page = client_for(applicant).get("/programmes/inspiring-test/seg-l2/2024/register/").content.decode()

        assert CLD_STATEMENT not in page
        assert CLD_STATEMENT in client_for(applicant).get(REGISTER_URL).content.decode()


class TestTheAPI:
    def test_it_lists_the_questions_and_registers_with_the_answers(
        self, asked: list[RegistrationQuestion], applicant: User, client_for: SignIn
    ) -> None:
        client = client_for(applicant)
        listed = client.get(f"{API}/registration-questions").json()
        assert [(q["kind"], q["text"], q["required"]) for q in listed] == [
            ("statement", CLD_STATEMENT, True),
            ("question", "What is your current role?", True),
            ("question", "Anything we should know about access?", False),
        ]
        statement, role, _ = listed
        body = {
            "organisation_name": "Porirua Community Trust",
            "organisation_type": "community",
            "terms_accepted": True,
            "answers": [
                {"question": statement["id"], "confirmed": True},
                {"question": role["id"], "answer": "Kaiārahi"},
            ],
        }

        response = client.post(f"{API}/cohorts/2024/registration", json.dumps(body), content_type="application/json")

        assert response.status_code == 201, response.content.decode()
        assert Enrolment.objects.get().registration_answers[:2] == [
            {"kind": "statement", "question": CLD_STATEMENT, "answer": "Confirmed"},
            {"kind": "question", "question": "What is your current role?", "answer": "Kaiārahi"},
        ]

    def test_a_statement_not_confirmed_is_a_422_naming_it(
        self, asked: list[RegistrationQuestion], applicant: User, client_for: SignIn
    ) -> None:
        statement, role, _ = asked
        body: dict[str, Any] = {
            "organisation_name": "Porirua Community Trust",
            "organisation_type": "community",
            "terms_accepted": True,
            "answers": [{"question": role.pk, "answer": "Kaiārahi"}],
        }

        response = client_for(applicant).post(
            f"{API}/cohorts/2024/registration", json.dumps(body), content_type="application/json"
        )

        assert response.status_code == 422
        assert response.json()["problems"] == [
            f"{field(statement)}: Confirm this statement to register: the programme asks it of everyone."
        ]
        assert not Enrolment.objects.exists()


def question_rows(*rows: tuple[str, str, str], initial: int = 0) -> dict[str, str]:
    """The set-up page's question rows as posted: (saved id or '', kind, wording)."""
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "10",
    }
    for index, (saved, asks, text) in enumerate(rows):
        data.update(
            {f"questions-{index}-question": saved, f"questions-{index}-asks": asks, f"questions-{index}-text": text}
        )
    return data


class TestSettingThemUp:
    def test_the_admin_adds_edits_and_removes_questions_on_the_programme_page(
        self, programme: Programme, provider_admin: User, micro_credential: Qualification, client_for: SignIn
    ) -> None:
        client = client_for(provider_admin)
        page = client.get(EDIT_URL).content.decode()
        assert "Questions asked when people register" in page
        assert 'name="questions-0-text"' in page  # an empty row to add one

        added = client.post(
            EDIT_URL,
            {
                **programme_data(micro_credential),
                **question_rows(
                    ("", "statement", CLD_STATEMENT), ("", "optional", "Your iwi or community?"), ("", "required", "")
                ),
            },
        )

        assert added.status_code == 302, added.content.decode()
        saved = list(programme.registration_questions.all())
        assert [(q.kind, q.text, q.required) for q in saved] == [
            ("statement", CLD_STATEMENT, True),
            ("question", "Your iwi or community?", False),
        ]
        assert AuditEvent.objects.filter(action="programmes.registration_questions_set").count() == 1

        removed = client.post(
            EDIT_URL,
            {
                **programme_data(micro_credential),
                **question_rows(
                    (str(saved[0].pk), "statement", CLD_STATEMENT), (str(saved[1].pk), "optional", ""), initial=2
                ),
            },
        )

        assert removed.status_code == 302, removed.content.decode()
        assert list(programme.registration_questions.values_list("text", flat=True)) == [CLD_STATEMENT]

    def test_a_question_from_another_programme_is_refused(
        self, programme: Programme, provider_admin: User, micro_credential: Qualification, client_for: SignIn,
        provider: Organisation,
    ) -> None:  # fmt: skip
        other = cohorts.create_programme(
            actor=provider_admin, provider=provider, qualification=micro_credential, name="Other", slug="other",
            summary="Another.", registration_questions=[STATEMENT],
        )  # fmt: skip
        stranger = other.registration_questions.get()

        response = client_for(provider_admin).post(
            EDIT_URL,
            {
                **programme_data(micro_credential),
                **question_rows((str(stranger.pk), "statement", "Hijacked"), initial=1),
            },
        )

        assert response.status_code == 422
        assert "not one of this programme&#x27;s questions" in response.content.decode()
        assert other.registration_questions.get().text == CLD_STATEMENT

    @pytest.mark.parametrize(
        ("who", "status"),
        [("outsider", 404), ("other_provider_admin", 404), ("facilitator_here", 403), ("learner_here", 403)],
    )
    def test_everyone_but_the_providers_programme_admins_is_refused(
        self, who: str, status: int, programme: Programme, micro_credential: Qualification, client_for: SignIn,
        request: pytest.FixtureRequest, provider: Organisation,
    ) -> None:  # fmt: skip
        if who == "outsider":
            user = request.getfixturevalue("outsider")
        elif who == "other_provider_admin":
            user = other_provider_admin()
        else:
            role = Role.FACILITATOR if who == "facilitator_here" else Role.LEARNER
            user = provider_member(provider, role, f"{who}@inspiring-test.example")
        client = client_for(user)
        data = {**programme_data(micro_credential), **question_rows(("", "statement", "Sneaked in"))}

        assert client.get(EDIT_URL).status_code == status
        assert client.post(EDIT_URL, data).status_code == status
        assert not RegistrationQuestion.objects.exists()

    def test_the_service_refuses_anyone_but_a_programme_admin(self, programme: Programme) -> None:
        with pytest.raises(PermissionDenied):
            ask(programme, UserFactory(), STATEMENT)
        assert not RegistrationQuestion.objects.exists()


class TestSettingThemUpThroughTheAPI:
    def test_an_admin_sets_revises_and_clears_the_questions(
        self, programme: Programme, provider_admin: User, client_for: SignIn
    ) -> None:
        client = client_for(provider_admin)
        url = "/api/v1/programmes/setup/inspiring-test/programmes/cld-facilitation"

        def patch(body: dict[str, Any]) -> Any:
            return client.patch(url, json.dumps(body), content_type="application/json")

        added = patch({"registration_questions": [{"asks": "statement", "text": CLD_STATEMENT}]})
        assert added.status_code == 200, added.content.decode()
        [saved] = added.json()["registration_questions"]
        assert (saved["asks"], saved["text"]) == ("statement", CLD_STATEMENT)

        untouched = patch({"summary": "A new summary."})
        assert untouched.json()["registration_questions"] == [saved]

        revised = patch({"registration_questions": [{"id": saved["id"], "asks": "optional", "text": "Your role?"}]})
        assert revised.json()["registration_questions"] == [
            {"id": saved["id"], "asks": "optional", "text": "Your role?"}
        ]

        assert patch({"registration_questions": []}).json()["registration_questions"] == []
        assert not programme.registration_questions.exists()

    def test_another_providers_admin_is_refused(self, programme: Programme, client_for: SignIn) -> None:
        response = client_for(other_provider_admin()).patch(
            "/api/v1/programmes/setup/inspiring-test/programmes/cld-facilitation",
            json.dumps({"registration_questions": [{"asks": "statement", "text": "Sneaked in"}]}),
            content_type="application/json",
        )
        assert response.status_code == 404
        assert not RegistrationQuestion.objects.exists()
