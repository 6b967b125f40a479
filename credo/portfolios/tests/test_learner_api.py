"""The learner's own portfolio through the JSON API: the same loaders and services as the pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.catalogue.models import Competency
from credo.portfolios.models import CompetencyMapping, CriterionMapping, EvidenceItem, Portfolio
from credo.portfolios.services import evidence
from credo.portfolios.services.mapping import criteria_of
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import facilitator_of

from .builders import PDF, studying, upload

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]
API = "/api/v1/portfolios/my"


def _text(portfolio: Portfolio, learner: User, title: str = "My case study", position: int = 1) -> EvidenceItem:
    section = portfolio.sections.get(position=position)
    return evidence.add_text(section=section, actor=learner, title=title, html=f"<p>{title} in words</p>")


def test_the_learner_reads_their_portfolio_with_its_sections(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    _text(cld_portfolio, aroha)
    response = client_for(aroha).get(f"{API}/{cld_enrolment.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["is_open"], body["editable"], body["attempt"]) == (True, True, 1)
    first, second = body["sections"]
    assert (first["position"], first["title"], first["item_count"], first["words"]) == (
        1,
        "Your CLD case study",
        1,
        5,
    )
    assert first["suggested_length"] == "1,500 to 2,500 words"
    assert first["requirements"][0]["description"] == "An attestation from a participant"
    assert "below the suggested length" in first["length"]
    assert second["title"] == "Critical reflection"


def test_evidence_is_added_read_saved_and_removed(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    base = f"{API}/{cld_enrolment.pk}"
    created = client.post(
        f"{base}/sections/1/text",
        {"title": "Case study", "html": "<p>One</p><script>alert(1)</script>"},
        content_type="application/json",
    )
    assert created.status_code == 201
    item = created.json()
    assert (item["kind"], item["html"], item["version"], item["share_in_credential"]) == (
        "text",
        "<p>One</p>",
        1,
        False,
    )
    saved = client.put(
        f"{base}/items/{item['id']}/text",
        {"html": "<p>Two words</p>", "expected_version": 1},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["word_count"]) == (2, 2)
    link = client.post(
        f"{base}/sections/2/links",
        {"title": "Newsletter", "url": "https://example.org/n"},
        content_type="application/json",
    )
    assert link.status_code == 201
    listed = client.get(f"{base}/sections/1/items")
    assert [i["title"] for i in listed.json()] == ["Case study"]
    assert client.get(f"{base}/items/{item['id']}/versions").json()[0]["number"] == 2
    assert client.delete(f"{base}/items/{item['id']}").status_code == 204
    assert client.get(f"{base}/items/{item['id']}").status_code == 404
    assert list(EvidenceItem.objects.values_list("title", flat=True)) == ["Newsletter"]


def test_a_stale_save_is_a_409_saying_what_to_do_and_changes_nothing(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    evidence.save_text(item=item, actor=aroha, html="<p>From another tab</p>", expected_version=1)
    response = client_for(aroha).put(
        f"{API}/{cld_enrolment.pk}/items/{item.pk}/text",
        {"html": "<p>stale</p>", "expected_version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This was changed in another tab or window at 09:00; copy your text, reload, and merge.",
        "current_version": 2,
    }
    item.refresh_from_db()
    assert item.html == "<p>From another tab</p>"


def test_a_refused_link_or_title_is_a_422_naming_the_field(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    bad_link = client.post(
        f"{API}/{cld_enrolment.pk}/sections/1/links", {"title": "x", "url": "ftp://a"}, content_type="application/json"
    )
    assert bad_link.status_code == 422
    assert bad_link.json()["detail"] == "url: Enter a web address starting with https:// (or http://)."
    nul = client.post(
        f"{API}/{cld_enrolment.pk}/sections/1/text", {"title": "a\x00b", "html": ""}, content_type="application/json"
    )
    assert nul.status_code == 422
    assert not EvidenceItem.objects.exists()


def test_a_file_is_uploaded_as_multipart_refused_when_duplicated_and_downloaded(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor, media: Path
) -> None:
    client = client_for(aroha)
    url = f"{API}/{cld_enrolment.pk}/sections/1/files"
    created = client.post(url, {"file": upload(PDF), "title": "Agenda"})
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["file_name"], body["content_type"]) == ("Agenda", "agenda.pdf", "application/pdf")
    again = client.post(url, {"file": upload(PDF, "copy.pdf")})
    assert again.status_code == 422
    assert "already in your portfolio" in again.json()["detail"]
    empty = client.post(url, {"file": upload(b"", "empty.pdf")})
    assert empty.status_code == 422
    assert "is empty (0 bytes)" in empty.json()["detail"]
    download = client.get(body["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_sharing_and_mapping_and_the_gap_matrix(
    seg_portfolio: Portfolio, seg_enrolment: Enrolment, sam: User, client_for: ClientFor
) -> None:
    criteria = list(criteria_of(seg_enrolment.cohort.programme.qualification_id))
    item = _text(seg_portfolio, sam)
    client = client_for(sam)
    base = f"{API}/{seg_enrolment.pk}"
    shared = client.put(f"{base}/items/{item.pk}/sharing", {"share": True}, content_type="application/json")
    assert shared.json()["share_in_credential"] is True
    mapped = client.put(
        f"{base}/items/{item.pk}/mapping",
        {"criteria": [criteria[0].pk, criteria[1].pk]},
        content_type="application/json",
    )
    assert mapped.status_code == 200
    assert mapped.json()["criteria"] == sorted([criteria[0].pk, criteria[1].pk])
    refused = client.put(f"{base}/items/{item.pk}/mapping", {"criteria": [999_999]}, content_type="application/json")
    assert refused.status_code == 422
    assert CriterionMapping.objects.count() == 2
    gaps = client.get(f"{base}/gaps").json()
    assert (gaps["kind"], gaps["covered"], gaps["total"]) == ("criteria", 2, 4)
    assert [row["covered"] for row in gaps["rows"]] == [True, True, False, False]
    assert gaps["rows"][0]["items"] == [item.pk]


def test_mapping_to_competencies_through_the_api(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    competency = Competency.objects.get(qualification=cld_enrolment.cohort.programme.qualification)
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    response = client.put(
        f"{API}/{cld_enrolment.pk}/items/{item.pk}/mapping",
        {"competencies": [competency.pk]},
        content_type="application/json",
    )
    assert response.json()["competencies"] == [competency.pk]
    assert CompetencyMapping.objects.get().item == item
    gaps = client.get(f"{API}/{cld_enrolment.pk}/gaps").json()
    assert (gaps["kind"], gaps["covered"], gaps["rows"][0]["code"]) == ("competencies", 1, "C1")


def test_a_submitted_portfolio_refuses_changes_with_a_422(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    Portfolio.objects.filter(pk=cld_portfolio.pk).update(is_open=False)
    client = client_for(aroha)
    body = client.get(f"{API}/{cld_enrolment.pk}").json()
    assert (body["is_open"], body["editable"]) == (False, False)
    refused = client.delete(f"{API}/{cld_enrolment.pk}/items/{item.pk}")
    assert refused.status_code == 422
    assert "has been submitted" in refused.json()["detail"]
    assert EvidenceItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("count", [3, 30])
def test_an_item_list_takes_the_same_queries_for_3_or_30_items(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: ClientFor,
    count: int,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for n in range(count):
        _text(cld_portfolio, aroha, f"Item {n}")
    client = client_for(aroha)
    with django_assert_max_num_queries(10):
        response = client.get(f"{API}/{cld_enrolment.pk}/sections/1/items?limit=50")
    assert len(response.json()) == count
    assert len(client.get(f"{API}/{cld_enrolment.pk}/sections/1/items?limit=2&offset=1").json()) == 2
    assert client.get(f"{API}/{cld_enrolment.pk}/sections/1/items?kind=file").json() == []
    assert client.get(f"{API}/{cld_enrolment.pk}/sections/1/items?limit=0").status_code == 422


def _every_endpoint(enrolment: Enrolment, item: EvidenceItem) -> list[tuple[str, str, dict[str, Any]]]:
    base, i = f"{API}/{enrolment.pk}", item.pk
    return [
        ("get", base, {}),
        ("get", f"{base}/gaps", {}),
        ("get", f"{base}/sections/1/items", {}),
        ("post", f"{base}/sections/1/text", {"title": "x", "html": ""}),
        ("post", f"{base}/sections/1/links", {"title": "x", "url": "https://example.org"}),
        ("get", f"{base}/items/{i}", {}),
        ("put", f"{base}/items/{i}/text", {"html": "<p>x</p>", "expected_version": 1}),
        ("put", f"{base}/items/{i}/sharing", {"share": True}),
        ("put", f"{base}/items/{i}/mapping", {"criteria": []}),
        ("get", f"{base}/items/{i}/versions", {}),
        ("get", f"{base}/items/{i}/file", {}),
        ("delete", f"{base}/items/{i}", {}),
    ]


def _call(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, content_type="application/json")


@pytest.fixture
def file_of_aroha(cld_portfolio: Portfolio, aroha: User, media: Path) -> EvidenceItem:
    return evidence.add_file(section=cld_portfolio.sections.get(position=1), actor=aroha, uploaded_file=upload(PDF))


def test_someone_signed_out_gets_401_and_changes_nothing(
    file_of_aroha: EvidenceItem, cld_enrolment: Enrolment, client_for: ClientFor
) -> None:
    client = client_for(None)
    for method, url, payload in _every_endpoint(cld_enrolment, file_of_aroha):
        assert _call(client, method, url, payload).status_code == 401, url
    assert client.post(f"{API}/{cld_enrolment.pk}/sections/1/files", {"file": upload(PDF, "b.pdf")}).status_code == 401
    assert EvidenceItem.objects.count() == 1


def test_other_learners_and_staff_of_any_provider_get_404_and_change_nothing(
    file_of_aroha: EvidenceItem,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    other_provider: Organisation,
    client_for: ClientFor,
) -> None:
    another_learner = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    for person in (another_learner, other_admin, facilitator, provider_admin):
        client = client_for(person)
        for method, url, payload in _every_endpoint(cld_enrolment, file_of_aroha):
            assert _call(client, method, url, payload).status_code == 404, (person, url)
        upload_url = f"{API}/{cld_enrolment.pk}/sections/1/files"
        assert client.post(upload_url, {"file": upload(PDF, "b.pdf")}).status_code == 404
    file_of_aroha.refresh_from_db()
    assert not file_of_aroha.share_in_credential
    assert EvidenceItem.objects.count() == 1


def test_ids_out_of_range_are_a_422_not_a_crash(aroha: User, client_for: ClientFor) -> None:
    assert client_for(aroha).get(f"{API}/{2**70}").status_code == 422


@pytest.mark.parametrize("count", [3, 30])
def test_the_portfolio_and_gap_matrix_take_the_same_queries_for_3_or_30_items(
    seg_portfolio: Portfolio,
    seg_enrolment: Enrolment,
    sam: User,
    client_for: ClientFor,
    count: int,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    criteria = list(criteria_of(seg_enrolment.cohort.programme.qualification_id))
    for n in range(count):
        item = _text(seg_portfolio, sam, f"Item {n}", position=1 + n % 2)
        CriterionMapping.objects.create(item=item, criterion=criteria[n % 4])
    client = client_for(sam)
    for path in ("", "/gaps"):
        with django_assert_max_num_queries(10):
            assert client.get(f"{API}/{seg_enrolment.pk}{path}").status_code == 200
