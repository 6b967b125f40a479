"""Programme admins write a programme's terms of registration and set a cohort's notice for moving a check-in;
staff are warned while a programme has no terms; everyone else is refused and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, Programme
from credo.programmes.services import cohorts

from .builders import cohort_2024
from .test_setup_views import REFUSED, SLUG, cohort_data, edit_data, programme_data, refused

TERMS = "Cancellations before study starts are refunded in full.\n\nAfter that, no refund is given."
PROGRAMME_EDIT = f"/programmes/setup/{SLUG}/cld-facilitation/edit/"
WARNING = "No terms of registration"


def cohort_url(cohort: Cohort | None = None) -> str:
    base = f"/programmes/setup/{SLUG}/cld-facilitation/"
    return f"{base}{cohort.slug}/edit/" if cohort else f"{base}new-cohort/"


@pytest.fixture
def admin_client(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


class TestTerms:
    def test_an_admin_writes_the_terms_and_the_change_is_audited(
        self, admin_client: Client, programme: Programme
    ) -> None:
        assert admin_client.post(PROGRAMME_EDIT, programme_data(programme.qualification)).status_code == 302
        before = AuditEvent.objects.count()  # the form's wording of the other fields is saved; now only the terms

        response = admin_client.post(PROGRAMME_EDIT, programme_data(programme.qualification, terms=TERMS))

        assert response.status_code == 302
        programme.refresh_from_db()
        assert programme.terms == TERMS
        assert AuditEvent.objects.count() == before + 1
        event = AuditEvent.objects.filter(action="programmes.programme_updated").latest("pk")
        assert event.details == {"changed": ["terms"]}

    def test_a_new_programme_can_have_terms_from_the_start(
        self, admin_client: Client, micro_credential: Qualification
    ) -> None:
        data = programme_data(micro_credential, slug="cld-2", terms=TERMS)
        assert admin_client.post(f"/programmes/setup/{SLUG}/new-programme/", data).status_code == 302
        assert Programme.objects.get(slug="cld-2").terms == TERMS

    def test_the_form_offers_the_terms_with_what_they_are_for(self, admin_client: Client, programme: Programme) -> None:
        page = admin_client.get(PROGRAMME_EDIT).content.decode()
        assert '<textarea name="terms"' in page
        assert "Shown on the registration form beside the consent box" in page

    def test_staff_are_warned_while_a_programme_has_no_terms(self, admin_client: Client, programme: Programme) -> None:
        home = admin_client.get(f"/programmes/setup/{SLUG}/").content.decode()
        assert WARNING in home
        assert f'href="{PROGRAMME_EDIT}#id_terms"' in home
        assert "has no terms of registration" in admin_client.get(PROGRAMME_EDIT).content.decode()

        Programme.objects.filter(pk=programme.pk).update(terms=TERMS)

        assert WARNING not in admin_client.get(f"/programmes/setup/{SLUG}/").content.decode()
        assert "has no terms of registration" not in admin_client.get(PROGRAMME_EDIT).content.decode()

    def test_terms_of_only_spaces_are_no_terms(self, admin_client: Client, programme: Programme) -> None:
        Programme.objects.filter(pk=programme.pk).update(terms="  \n ")
        assert WARNING in admin_client.get(f"/programmes/setup/{SLUG}/").content.decode()

    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_others_cannot_change_the_terms(
        self,
        client_for: Callable[[User | None], Client],
        programme: Programme,
        who: str,
        status: int,
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused(who, programme.provider, request))
        response = client.post(PROGRAMME_EDIT, programme_data(programme.qualification, terms=TERMS))
        assert response.status_code == status
        programme.refresh_from_db()
        assert programme.terms == ""

    def test_the_service_refuses_someone_not_a_programme_admin(
        self, programme: Programme, request: pytest.FixtureRequest
    ) -> None:
        with pytest.raises(PermissionDenied, match="programme admins"):
            cohorts.update_programme(actor=refused("provider_facilitator", programme.provider, request),
                                     programme=programme, terms=TERMS)  # fmt: skip
        programme.refresh_from_db()
        assert programme.terms == ""


class TestCheckInNotice:
    def test_a_new_cohort_takes_the_notice_from_the_form(self, admin_client: Client, programme: Programme) -> None:
        response = admin_client.post(cohort_url(), cohort_data(check_in_notice_hours="48"))
        assert response.status_code == 302
        assert Cohort.objects.get(slug="2024").check_in_notice_hours == 48

    def test_an_admin_changes_it_and_the_change_is_audited(self, admin_client: Client, cohort: Cohort) -> None:
        page = admin_client.get(cohort_url(cohort)).content.decode()
        assert 'name="check_in_notice_hours" value="24"' in page
        response = admin_client.post(cohort_url(cohort), edit_data(cohort, check_in_notice_hours="0"))
        assert response.status_code == 302
        cohort.refresh_from_db()
        assert cohort.check_in_notice_hours == 0
        event = AuditEvent.objects.filter(action="programmes.cohort_updated").get()
        assert event.details == {"check_in_notice_hours": {"from": 24, "to": 0}}

    @pytest.mark.parametrize("hours", ["169", "-1", "a day"])
    def test_the_form_refuses_notice_outside_a_week_by_its_field(
        self, admin_client: Client, cohort: Cohort, hours: str
    ) -> None:
        response = admin_client.post(cohort_url(cohort), edit_data(cohort, check_in_notice_hours=hours))
        assert response.status_code == 422
        assert response.context["form"].errors["check_in_notice_hours"]
        cohort.refresh_from_db()
        assert cohort.check_in_notice_hours == 24

    @pytest.mark.parametrize("hours", [169, -1, 1000])
    def test_the_services_refuse_it_too_saying_what_is_allowed(
        self, provider_admin: User, programme: Programme, cohort: Cohort, hours: int
    ) -> None:
        expected = "from 0 to 168 (a week)"
        with pytest.raises(ValidationError, match=r"from 0 to 168 \(a week\)") as update:
            cohorts.update_cohort(actor=provider_admin, cohort=cohort, check_in_notice_hours=hours)
        assert "check_in_notice_hours" in update.value.message_dict
        with pytest.raises(ValidationError) as created:
            cohort_2024(provider_admin, programme, slug="other", check_in_notice_hours=hours)
        assert expected in created.value.message_dict["check_in_notice_hours"][0]
        cohort.refresh_from_db()
        assert cohort.check_in_notice_hours == 24
        assert not Cohort.objects.filter(slug="other").exists()

    @pytest.mark.parametrize("hours", [0, 168])
    def test_the_ends_of_the_range_are_allowed(self, provider_admin: User, cohort: Cohort, hours: int) -> None:
        cohorts.revise_cohort(
            actor=provider_admin,
            cohort=cohort,
            tier_changes=[],
            new_tiers=[],
            facilitators=[],
            check_in_notice_hours=hours,
        )
        cohort.refresh_from_db()
        assert cohort.check_in_notice_hours == hours

    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_others_cannot_change_it(
        self,
        client_for: Callable[[User | None], Client],
        cohort: Cohort,
        who: str,
        status: int,
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused(who, cohort.programme.provider, request))
        data: dict[str, Any] = edit_data(cohort, check_in_notice_hours="72")
        assert client.post(cohort_url(cohort), data).status_code == status
        cohort.refresh_from_db()
        assert cohort.check_in_notice_hours == 24
