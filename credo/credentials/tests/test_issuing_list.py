"""The issuing list: a learner's credentials with their one current transcript; the example CSV is the issuer's own."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Credential, CredentialKind, Issuer
from credo.credentials.services.issuance import refresh_transcripts

SLUG = "test-awards"
PAST = datetime.date(2024, 10, 31)


def award_units(learner: User, units: list[Any], decided_by: User) -> None:
    for unit in units:
        services.record_attainment(
            learner=learner,
            achievement=services.achievement_for_unit(unit),
            route="direct_award",
            attained_on=PAST,
            decided_by=decided_by,
        )


def issue_all(issuer: Issuer) -> None:
    services.issue_pending(issuer)
    refresh_transcripts(issuer)


def listing(client: Client, query: str = "") -> str:
    response = client.get(f"/issuing/{SLUG}/credentials{query}")
    assert response.status_code == 200
    return str(response.content.decode())


class TestTheList:
    def test_two_awards_show_one_transcript_with_the_learners_credentials(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        learner: User,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        for unit in catalogue.shared_units[:2]:  # one award, then another: the transcript is renewed each time
            award_units(learner, [unit], catalogue_admin)
            issue_all(issuer)
        assert Credential.objects.filter(learner=learner, kind=CredentialKind.TRANSCRIPT).count() == 2
        page = listing(client_for(catalogue_admin))
        assert page.count(">Transcript</a>") == 1, "the replaced transcript is not listed"
        assert page.count('<th scope="rowgroup"') == 1
        group = page[page.index('<th scope="rowgroup"') :]
        for unit in catalogue.shared_units[:2]:
            assert unit.title in group
        assert group.index(catalogue.shared_units[0].title) < group.index(">Transcript</a>")
        assert "1 learner with credentials" in page

    def test_the_list_filters_by_status_and_by_learner_or_achievement(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        learner: User,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        other = User.objects.create_user(email="rangi@example.org", full_name="Rangi Parata")
        award_units(learner, catalogue.shared_units[:1], catalogue_admin)
        award_units(other, catalogue.shared_units[1:2], catalogue_admin)
        issue_all(issuer)
        client = client_for(catalogue_admin)
        page = listing(client, "?q=rangi")
        assert "Rangi Parata" in page
        assert learner.email not in page
        page = listing(client, f"?q={catalogue.shared_units[0].title}")
        assert learner.email in page
        assert "Rangi Parata" not in page
        assert "No credentials match." in listing(client, "?state=revoked")

    def test_the_query_count_does_not_grow_with_the_learners(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        learner: User,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        client = client_for(catalogue_admin)
        award_units(learner, catalogue.shared_units[:2], catalogue_admin)
        issue_all(issuer)
        with CaptureQueriesContext(connection) as one:
            listing(client)
        for number in range(4):
            someone = User.objects.create_user(email=f"grad{number}@example.org", full_name=f"Graduate {number}")
            award_units(someone, catalogue.shared_units[:2], catalogue_admin)
        issue_all(issuer)
        with CaptureQueriesContext(connection) as five:
            page = listing(client)
        assert page.count('<th scope="rowgroup"') == 5
        assert len(five) == len(one)

    def test_the_list_is_paginated_by_learner(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from credo.credentials import views_issuing

        monkeypatch.setattr(views_issuing, "LEARNERS_PER_PAGE", 2)
        for number in range(3):
            someone = User.objects.create_user(email=f"grad{number}@example.org", full_name=f"Graduate {number}")
            award_units(someone, catalogue.shared_units[:1], catalogue_admin)
        issue_all(issuer)
        client = client_for(catalogue_admin)
        first = listing(client)
        assert first.count('<th scope="rowgroup"') == 2
        assert "Page 1 of 2" in first
        assert listing(client, "?page=2").count('<th scope="rowgroup"') == 1


class TestTheExampleFile:
    def test_it_names_the_issuers_own_achievements_and_passes_the_checks(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        client = client_for(catalogue_admin)
        bulk = client.get(f"/issuing/{SLUG}/award/bulk").content.decode()
        assert "Download an example file" in bulk
        example = client.get(f"/issuing/{SLUG}/award/bulk/template.csv").content
        rows = list(csv.DictReader(io.StringIO(example.decode())))
        assert rows
        codes = set(issuer.achievements.values_list("code", flat=True))
        assert {row["achievement"] for row in rows} <= codes
        response = client.post(
            f"/issuing/{SLUG}/award/bulk",
            {"file": SimpleUploadedFile("awards.csv", example, content_type="text/csv")},
            follow=True,
        )
        page = response.content.decode()
        assert "Nothing was awarded" not in page
        assert f"Award all {len(rows)}" in page
        assert "Awarded directly" in page
        assert "Recognition of prior learning" in page
        assert "direct_award" not in page
        assert "prior_learning" not in page

    def test_an_issuer_without_achievements_is_told_so_and_gets_only_the_columns(
        self, other_awarding_body: Any, outsider: User, client_for: Callable[[User | None], Client]
    ) -> None:
        services.create_issuer(other_awarding_body, actor=outsider, email="x@other.example", did_method="key")
        client = client_for(outsider)
        bulk = client.get("/issuing/other-awards/award/bulk").content.decode()
        assert "has no achievements to award yet" in bulk
        assert "Download an example file" not in bulk
        example = client.get("/issuing/other-awards/award/bulk/template.csv").content.decode()
        assert example.strip() == "email,full_name,achievement,attained_on,route,note"

    def test_another_issuers_staff_cannot_download_ours(
        self, issuer: Issuer, outsider: User, client_for: Callable[[User | None], Client]
    ) -> None:
        assert client_for(outsider).get(f"/issuing/{SLUG}/award/bulk/template.csv").status_code == 403

    def test_a_route_may_be_written_in_words(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        code = services.achievement_for_unit(catalogue.shared_units[0]).code
        data = f"email,full_name,achievement,attained_on,route\nnew@example.org,New Person,{code},2024-10-31,"
        data += "Recognition of prior learning\n"
        response = client_for(catalogue_admin).post(
            f"/issuing/{SLUG}/award/bulk",
            {"file": SimpleUploadedFile("a.csv", data.encode(), content_type="text/csv")},
            follow=True,
        )
        page = response.content.decode()
        assert "Award all 1" in page
        assert "Recognition of prior learning" in page
