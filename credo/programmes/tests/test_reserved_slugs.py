"""Slugs that would shadow credo's own pages are refused.

An organisation's slug is the first path segment of its programme pages
(``/programmes/<provider>/<programme>/``), so a provider called "staff" or "my" would
collide with the staff and learner pages there; a programme's slug follows the provider's,
so "new-programme" would collide with the set-up page of that name. The fixed words are
read from the URL patterns, which this module also serves as a URLconf to show it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from credo.accounts import services as accounts
from credo.accounts.models import Organisation, OrganisationKind, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.programmes.models import Programme
from credo.programmes.services import cohorts

from .test_setup_views import programme_data


def _page(request: HttpRequest, **kwargs: str) -> HttpResponse:
    return HttpResponse("")


#: A URLconf of its own (see the last test): a programmes area with a page added later.
urlpatterns = [
    path(
        "programmes/",
        include(
            (
                [
                    path("reports/<int:year>/", _page),
                    path("<slug:provider>/overview/", _page),
                    path("<slug:provider>/<slug:programme>/", _page),
                ],
                "programmes",
            )
        ),
    )
]


def create(slug: str) -> Organisation:
    return accounts.create_organisation(
        actor=UserFactory(), name="Tūhono Trust", slug=slug, kind=OrganisationKind.PROVIDER, country="nz"
    )


class TestOrganisationSlugs:
    @pytest.mark.parametrize("slug", ["my", "invoices", "setup", "staff", "cohorts", "sessions", "calendar", "Staff"])
    def test_a_fixed_first_segment_under_programmes_is_refused(self, db: None, slug: str) -> None:
        events = AuditEvent.objects.count()

        with pytest.raises(ValidationError) as refused:
            create(slug)

        assert refused.value.message_dict["slug"] == [
            f"{slug!r} is already part of credo's own web addresses (/programmes/{slug}/): "
            "choose another, for example one made from the name."
        ]
        assert not Organisation.objects.filter(name="Tūhono Trust").exists()
        assert AuditEvent.objects.count() == events

    @pytest.mark.parametrize("slug", ["tuhono-trust", "my-community", "staffordshire-trust", "invoices-nz"])
    def test_other_slugs_are_fine_even_when_they_start_with_a_fixed_word(self, db: None, slug: str) -> None:
        assert create(slug).slug == slug

    def test_every_fixed_first_segment_of_the_programme_pages_is_reserved(self, db: None) -> None:
        reserved = accounts.reserved_slugs("programmes")

        assert {"my", "invoices", "setup", "staff", "cohorts", "sessions", "calendar"} <= reserved
        assert not {"provider", "programme", "cohort"} & reserved  # the placeholders are not words

    @pytest.mark.urls("credo.programmes.tests.test_reserved_slugs")
    def test_a_page_added_later_is_protected_without_a_list_to_keep(self, db: None) -> None:
        assert accounts.reserved_slugs("programmes") == {"reports"}
        assert accounts.reserved_slugs("programmes", after="provider") == {"overview"}
        with pytest.raises(ValidationError, match="/programmes/reports/"):
            create("reports")
        assert create("staff").slug == "staff"  # not a page in this URLconf

    def test_an_unknown_namespace_reserves_nothing(self, db: None) -> None:
        assert accounts.reserved_slugs("no-such-area") == frozenset()


class TestProgrammeSlugs:
    @pytest.mark.parametrize("slug", ["new-programme", "New-Programme"])
    def test_a_fixed_word_after_the_provider_is_refused(
        self, provider_admin: User, provider: Organisation, micro_credential: Qualification, slug: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            cohorts.create_programme(
                actor=provider_admin,
                provider=provider,
                qualification=micro_credential,
                name="Micro-credential in CLD facilitation",
                slug=slug,
                summary="A programme.",
            )

        assert f"/programmes/…/inspiring-test/{slug}/" in refused.value.message_dict["slug"][0]
        assert not Programme.objects.exists()

    def test_renaming_a_programme_to_a_fixed_word_is_refused(self, provider_admin: User, programme: Programme) -> None:
        with pytest.raises(ValidationError) as refused:
            cohorts.update_programme(actor=provider_admin, programme=programme, slug="new-programme")

        assert "already part of credo's own web addresses" in refused.value.message_dict["slug"][0]
        programme.refresh_from_db()
        assert programme.slug == "cld-facilitation"

    def test_a_slug_that_is_a_first_segment_elsewhere_is_fine_for_a_programme(
        self, provider_admin: User, programme: Programme
    ) -> None:
        # /programmes/<provider>/staff/ is not a staff page: only the provider's place is shared with "staff".
        assert cohorts.update_programme(actor=provider_admin, programme=programme, slug="staff").slug == "staff"

    def test_the_set_up_page_shows_the_refusal_by_the_slug(
        self,
        client_for: Callable[[User | None], Client],
        provider_admin: User,
        micro_credential: Qualification,
    ) -> None:
        response = client_for(provider_admin).post(
            "/programmes/setup/inspiring-test/new-programme/", programme_data(micro_credential, slug="new-programme")
        )

        assert response.status_code == 422
        assert "already part of credo's own web addresses" in response.context["form"].errors["slug"][0]
        assert not Programme.objects.exists()
