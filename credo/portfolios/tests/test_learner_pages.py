"""The learner's portfolio pages: the overview, a section's evidence, writing, uploads, links, sharing, mapping,
removing, versions and downloads; and that nobody else reaches them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.catalogue.models import Competency
from credo.portfolios.models import (
    CompetencyMapping,
    CriterionMapping,
    EvidenceItem,
    EvidenceVersion,
    ItemKind,
    Portfolio,
)
from credo.portfolios.services import evidence
from credo.portfolios.services.mapping import criteria_of
from credo.portfolios.services.portfolios import portfolio_for
from credo.portfolios.views import learner as learner_views
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import facilitator_of

from .builders import PDF, PNG, studying, upload

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]


def _url(name: str, *args: Any) -> str:
    return reverse(f"portfolios:{name}", args=args)


def _text(portfolio: Portfolio, learner: User, title: str = "My case study", position: int = 1) -> EvidenceItem:
    section = portfolio.sections.get(position=position)
    return evidence.add_text(section=section, actor=learner, title=title, html=f"<p>{title} in words</p>")


def _file(portfolio: Portfolio, learner: User, content: bytes = PDF, name: str = "agenda.pdf") -> EvidenceItem:
    return evidence.add_file(
        section=portfolio.sections.get(position=1), actor=learner, uploaded_file=upload(content, name)
    )


# The overview --------------------------------------------------------------------------------------------------------


def test_the_overview_lists_the_sections_in_order_with_guidance_length_and_evidence(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    _text(cld_portfolio, aroha)
    response = client_for(aroha).get(_url("learner-portfolio", cld_enrolment.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Your CLD case study") < html.index("Critical reflection")
    assert "Tell the story of one piece of work." in html
    assert "1,500 to 2,500 words" in html
    assert "1 item" in html
    assert "5 words written; suggested" in html
    assert "below the suggested length" in html
    assert _url("learner-section", cld_enrolment.pk, 1) in html
    assert _url("learner-gaps", cld_enrolment.pk) in html
    assert "0 of 1 competencies have evidence" in html
    assert "read-only" not in html


def test_a_submitted_portfolio_says_it_is_read_only_and_offers_no_changes(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    Portfolio.objects.filter(pk=cld_portfolio.pk).update(is_open=False)
    client = client_for(aroha)
    overview = client.get(_url("learner-portfolio", cld_enrolment.pk)).content.decode()
    assert "Your portfolio has been submitted, so it is read-only." in overview
    section = client.get(_url("learner-section", cld_enrolment.pk, 1)).content.decode()
    assert "read-only" in section
    assert "Add evidence" not in section
    assert _url("learner-remove", cld_enrolment.pk, item.pk) not in section
    refused = client.post(
        _url("learner-add-link", cld_enrolment.pk, 1), {"link-title": "x", "link-url": "https://a.example"}
    )
    assert refused.status_code == 422
    assert "has been submitted" in refused.content.decode()
    assert cld_portfolio.items.count() == 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_overview_and_the_gap_matrix_take_the_same_queries_for_3_or_30_items(
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
    for name in ("learner-portfolio", "learner-gaps"):
        with django_assert_max_num_queries(14):
            assert client.get(_url(name, seg_enrolment.pk)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(_url("learner-section", seg_enrolment.pk, 1)).status_code == 200


def test_a_units_section_shows_its_learning_outcomes_and_criteria(
    seg_portfolio: Portfolio, seg_enrolment: Enrolment, sam: User, client_for: ClientFor
) -> None:
    html = client_for(sam).get(_url("learner-section", seg_enrolment.pk, 1)).content.decode()
    assert "What this unit asks of you" in html
    assert "Learning outcome 1:</strong> Understand organising" in html
    assert "AC1.1: Describe it" in html
    assert "AC1.2: Explain it" in html


def test_the_gap_matrix_shows_covered_and_not_covered_and_filters_to_the_gaps(
    seg_portfolio: Portfolio, seg_enrolment: Enrolment, sam: User, client_for: ClientFor
) -> None:
    criteria = list(criteria_of(seg_enrolment.cohort.programme.qualification_id))
    item = _text(seg_portfolio, sam, "Minutes of the meeting")
    CriterionMapping.objects.create(item=item, criterion=criteria[0])
    client = client_for(sam)
    html = client.get(_url("learner-gaps", seg_enrolment.pk)).content.decode()
    assert "1 of 4 criteria have evidence" in html
    assert html.count('class="done">Covered<') == 1
    assert html.count('class="todo">Not covered<') == 3
    assert "Minutes of the meeting" in html
    gaps = client.get(_url("learner-gaps", seg_enrolment.pk) + "?show=gaps").content.decode()
    assert gaps.count('class="todo">Not covered<') == 3
    assert 'class="done">Covered<' not in gaps


# Writing -------------------------------------------------------------------------------------------------------------


def test_writing_starts_on_the_section_page_and_opens_the_editor(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    section = client.get(_url("learner-section", cld_enrolment.pk, 1)).content.decode()
    assert "data-rich-editor" in section
    assert "credo/editor.js" in section
    response = client.post(
        _url("learner-add-text", cld_enrolment.pk, 1),
        {"text-title": "My case study", "text-html": "First paragraph.\n\nSecond one."},
    )
    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("learner-item", cld_enrolment.pk, item.pk)
    assert item.html == "<p>First paragraph.</p><p>Second one.</p>"  # typed without the editor: paragraphs kept
    editor = client.get(response["Location"]).content.decode()
    assert 'data-autosave-url="' + _url("learner-autosave", cld_enrolment.pk, item.pk) in editor
    assert 'name="expected_version" value="1"' in editor
    assert 'aria-live="polite"' in editor
    assert "Saved at 09:00" in editor  # the cohort's time (Pacific/Auckland)
    assert "4 words written; suggested" in editor


def test_a_title_is_needed_and_the_problem_links_to_its_field(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    response = client_for(aroha).post(
        _url("learner-add-text", cld_enrolment.pk, 1), {"text-title": " ", "text-html": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: " in html
    assert 'href="#id_text-title"' in html
    assert not EvidenceItem.objects.exists()


def test_saving_keeps_every_version_and_a_stale_save_is_refused_without_overwriting(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    url = _url("learner-item", cld_enrolment.pk, item.pk)
    saved = client.post(url, {"html": "<p>Second draft</p>", "expected_version": 1})
    assert saved.status_code == 302
    stale = client.post(url, {"html": "<p>From the other tab</p>", "expected_version": 1})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "This was changed in another tab or window at 09:00; copy your text, reload" in html
    assert "From the other tab" in html  # still in the box, to copy
    item.refresh_from_db()
    assert item.html == "<p>Second draft</p>"
    assert list(EvidenceVersion.objects.filter(item=item).values_list("number", flat=True)) == [1, 2]


def test_autosave_answers_with_the_new_version_or_a_conflict(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    url = _url("learner-autosave", cld_enrolment.pk, item.pk)
    saved = client.post(url, {"html": "<p>one two three</p>", "expected_version": 1})
    assert saved.status_code == 200
    assert json.loads(saved.content) == {
        "saved": True,
        "version": 2,
        "words": 3,
        "saved_at": "09:00",
        "message": "Saved at 09:00",
    }
    conflict = client.post(url, {"html": "<p>older tab</p>", "expected_version": 1})
    assert conflict.status_code == 409
    body = json.loads(conflict.content)
    assert body["conflict"] is True
    assert body["message"].startswith("This was changed in another tab or window at 09:00")
    item.refresh_from_db()
    assert item.html == "<p>one two three</p>"
    bad = client.post(url, {"html": "x"})
    assert bad.status_code == 422


def test_the_version_history_lists_each_version_and_shows_an_old_one(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    evidence.save_text(item=item, actor=aroha, html="<p>The second version</p>", expected_version=1)
    client = client_for(aroha)
    listing = client.get(_url("learner-versions", cld_enrolment.pk, item.pk)).content.decode()
    assert listing.index("Version 2") < listing.index("Version 1")
    assert "(current)" in listing
    old = client.get(_url("learner-version", cld_enrolment.pk, item.pk, 1)).content.decode()
    assert "My case study in words" in old
    assert client.get(_url("learner-version", cld_enrolment.pk, item.pk, 9)).status_code == 404


def test_a_script_in_the_learners_text_never_reaches_the_page_unescaped(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    client.post(
        _url("learner-add-text", cld_enrolment.pk, 1),
        {
            "text-title": "<script>alert('title')</script>",
            "text-html": "<p>Hello</p><script>alert('x')</script><img src=x onerror=alert(1)>"
            "<a href='javascript:alert(2)'>go</a>",
        },
    )
    item = EvidenceItem.objects.get()
    # Written some other way than the service (an import, a bug): still cleaned on the way out.
    EvidenceItem.objects.filter(pk=item.pk).update(html="<p>raw</p><script>alert('raw')</script>")
    for url in (
        _url("learner-section", cld_enrolment.pk, 1),
        _url("learner-item", cld_enrolment.pk, item.pk),
        _url("learner-version", cld_enrolment.pk, item.pk, 1),
        _url("learner-gaps", cld_enrolment.pk),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "onerror" not in html, url
        assert "javascript:alert" not in html, url
    section = client.get(_url("learner-section", cld_enrolment.pk, 1)).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in section
    assert "<p>raw</p>" in section


# Links and files -----------------------------------------------------------------------------------------------------


def test_a_link_is_added_or_refused_beside_its_field(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    url = _url("learner-add-link", cld_enrolment.pk, 1)
    refused = client.post(url, {"link-title": "Newsletter", "link-url": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert 'href="#id_link-url"' in refused.content.decode()
    assert "Enter a web address starting with https://" in refused.content.decode()
    added = client.post(url, {"link-title": "Newsletter", "link-url": "https://example.org/news"})
    assert added.status_code == 302
    assert EvidenceItem.objects.get().url == "https://example.org/news"


def test_a_file_is_uploaded_and_downloaded_by_its_learner_as_an_attachment(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor, media: Path
) -> None:
    client = client_for(aroha)
    response = client.post(
        _url("learner-add-file", cld_enrolment.pk, 1), {"upload-file": upload(PDF), "upload-title": "Agenda"}
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert (item.kind, item.title, item.original_name) == (ItemKind.FILE, "Agenda", "agenda.pdf")
    download = client.get(_url("learner-download", cld_enrolment.pk, item.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.pdf", "is empty (0 bytes)"),
        (b"x" * 2000, "big.pdf", "larger than"),
        (b"<html><script>alert(1)</script></html>", "page.pdf", "cannot be uploaded. You can upload:"),
        # Django's upload parser already drops slashes and control characters and shortens long names (the service's
        # own refusals of those are tested in test_files.py); a name of dots gets through it:
        (PDF, "....", "only dots"),
    ],
)
def test_a_refused_upload_says_why_beside_the_file_field_and_stores_nothing(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: ClientFor,
    media: Path,
    settings: Any,
    content: bytes,
    name: str,
    expected: str,
) -> None:
    settings.CREDO_PORTFOLIO_MAX_FILE_BYTES = 1000
    response = client_for(aroha).post(
        _url("learner-add-file", cld_enrolment.pk, 1), {"upload-file": upload(content, name)}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#id_upload-file"' in html
    assert 'id="id_upload-file_error"' in html
    assert expected in html
    assert not EvidenceItem.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_second_upload_of_the_same_file_and_an_upload_over_the_quota_are_refused(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor, media: Path, settings: Any
) -> None:
    client = client_for(aroha)
    url = _url("learner-add-file", cld_enrolment.pk, 1)
    assert client.post(url, {"upload-file": upload(PDF)}).status_code == 302
    again = client.post(url, {"upload-file": upload(PDF, "copy.pdf")})
    assert again.status_code == 422
    assert "This file is already in your portfolio, as “agenda.pdf”" in again.content.decode()
    settings.CREDO_PORTFOLIO_QUOTA_BYTES = len(PDF) + 10
    over = client.post(url, {"upload-file": upload(PNG, "photo.png")})
    assert over.status_code == 422
    assert "does not fit: your portfolio holds up to" in over.content.decode()
    no_file = client.post(url, {})
    assert no_file.status_code == 422
    assert "Choose a file to upload." in no_file.content.decode()
    assert EvidenceItem.objects.count() == 1


# Sharing, mapping, removing ------------------------------------------------------------------------------------------


def test_sharing_is_off_by_default_and_set_by_the_state_posted(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    section = client.get(_url("learner-section", cld_enrolment.pk, 1)).content.decode()
    assert "Not shared" in section
    url = _url("learner-sharing", cld_enrolment.pk, item.pk)
    assert client.post(url, {"share": "yes"}).status_code == 302
    assert client.post(url, {"share": "yes"}).status_code == 302  # a repeated click does not flip it back
    item.refresh_from_db()
    assert item.share_in_credential
    partial = client.post(url, {"share": "no"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "Share in my credential" in partial.content.decode()
    item.refresh_from_db()
    assert not item.share_in_credential


def test_mapping_ticks_are_the_whole_mapping_for_criteria(
    seg_portfolio: Portfolio, seg_enrolment: Enrolment, sam: User, client_for: ClientFor
) -> None:
    criteria = list(criteria_of(seg_enrolment.cohort.programme.qualification_id))
    item = _text(seg_portfolio, sam)
    client = client_for(sam)
    url = _url("learner-mapping", seg_enrolment.pk, item.pk)
    page = client.get(url).content.decode()
    assert 'type="checkbox"' in page
    assert "Assessment criteria this is evidence for" in page
    assert client.post(url, {"criteria": [criteria[0].pk, criteria[2].pk]}).status_code == 302
    assert client.post(url, {"criteria": [criteria[2].pk, criteria[3].pk]}).status_code == 302
    assert set(CriterionMapping.objects.values_list("criterion_id", flat=True)) == {criteria[2].pk, criteria[3].pk}
    refused = client.post(url, {"criteria": [999_999]})
    assert refused.status_code == 422
    assert "Choose from the list" in refused.content.decode()


def test_mapping_to_competencies_for_a_micro_credential(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    competency = Competency.objects.get(qualification=cld_enrolment.cohort.programme.qualification)
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    url = _url("learner-mapping", cld_enrolment.pk, item.pk)
    assert "Competencies this is evidence for" in client.get(url).content.decode()
    assert client.post(url, {"competencies": [competency.pk]}).status_code == 302
    assert CompetencyMapping.objects.get().competency == competency
    gaps = client.get(_url("learner-gaps", cld_enrolment.pk)).content.decode()
    assert "1 of 1 competencies have evidence" in gaps
    assert client.post(url, {}).status_code == 302
    assert not CompetencyMapping.objects.exists()


def test_removing_asks_first_and_only_the_confirmed_post_removes(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    client = client_for(aroha)
    url = _url("learner-remove", cld_enrolment.pk, item.pk)
    page = client.get(url).content.decode()
    assert 'name="confirmed" value="yes"' in page
    assert 'class="danger"' in page
    assert "This cannot be undone." in page
    assert client.post(url, {}).status_code == 200
    assert EvidenceItem.objects.exists()
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    assert not EvidenceItem.objects.exists()


# Who may reach these pages -------------------------------------------------------------------------------------------


def _every_page(enrolment: Enrolment, item: EvidenceItem) -> list[tuple[str, str]]:
    e, i = enrolment.pk, item.pk
    return [
        ("get", _url("learner-portfolio", e)),
        ("get", _url("learner-gaps", e)),
        ("get", _url("learner-section", e, 1)),
        ("post", _url("learner-add-text", e, 1)),
        ("post", _url("learner-add-link", e, 1)),
        ("post", _url("learner-add-file", e, 1)),
        ("get", _url("learner-item", e, i)),
        ("post", _url("learner-item", e, i)),
        ("post", _url("learner-autosave", e, i)),
        ("get", _url("learner-versions", e, i)),
        ("get", _url("learner-version", e, i, 1)),
        ("post", _url("learner-sharing", e, i)),
        ("get", _url("learner-mapping", e, i)),
        ("post", _url("learner-mapping", e, i)),
        ("get", _url("learner-remove", e, i)),
        ("post", _url("learner-remove", e, i)),
        ("get", _url("learner-download", e, i)),
    ]


def _posted(method: str) -> dict[str, Any]:
    return (
        {"confirmed": "yes", "share": "yes", "html": "<p>changed</p>", "expected_version": 1}
        if method == "post"
        else {}
    )


@pytest.fixture
def upload_of_aroha(cld_portfolio: Portfolio, aroha: User, media: Path) -> EvidenceItem:
    return _file(cld_portfolio, aroha)


def test_someone_signed_out_is_sent_to_sign_in_and_changes_nothing(
    upload_of_aroha: EvidenceItem, cld_enrolment: Enrolment, client_for: ClientFor
) -> None:
    client = client_for(None)
    for method, url in _every_page(cld_enrolment, upload_of_aroha):
        response = getattr(client, method)(url, _posted(method))
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert EvidenceItem.objects.get() == upload_of_aroha


def test_another_learner_and_the_providers_staff_and_other_providers_learn_nothing(
    upload_of_aroha: EvidenceItem,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider: Organisation,
    provider_admin: User,
    other_provider: Organisation,
    client_for: ClientFor,
) -> None:
    another_learner = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    # The learner's pages are for the learner alone: the cohort's facilitator and the provider's admin read a
    # portfolio through the staff pages, never these (a facilitator cannot edit evidence).
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    for person in (another_learner, other_admin, facilitator, provider_admin):
        client = client_for(person)
        for method, url in _every_page(cld_enrolment, upload_of_aroha):
            assert getattr(client, method)(url, _posted(method)).status_code == 404, (person, url)
    upload_of_aroha.refresh_from_db()
    assert not upload_of_aroha.share_in_credential
    assert EvidenceItem.objects.count() == 1


def test_another_learners_item_cannot_be_reached_through_ones_own_portfolio(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    aroha: User,
    client_for: ClientFor,
) -> None:
    tama = studying(cld_cohort, provider_admin, "tama@example.org", "Tama")
    tamas = _text(portfolio_for(enrolment=tama), tama.learner, "Tama's writing")
    client = client_for(aroha)
    for name in ("learner-item", "learner-remove", "learner-versions", "learner-mapping"):
        assert client.get(_url(name, cld_enrolment.pk, tamas.pk)).status_code == 404
    assert client.post(_url("learner-remove", cld_enrolment.pk, tamas.pk), {"confirmed": "yes"}).status_code == 404
    assert EvidenceItem.objects.filter(pk=tamas.pk).exists()


def test_a_text_or_link_has_no_download(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    item = _text(cld_portfolio, aroha)
    assert client_for(aroha).get(_url("learner-download", cld_enrolment.pk, item.pk)).status_code == 404


def test_the_learners_study_page_and_home_link_to_the_portfolio_once_study_has_started(
    cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    client = client_for(aroha)
    study = client.get(reverse("programmes:my-enrolment", args=[cld_enrolment.pk])).content.decode()
    assert f'href="{_url("learner-portfolio", cld_enrolment.pk)}"' in study
    home = client.get(reverse("dashboard")).content.decode()
    assert f'href="{_url("learner-portfolio", cld_enrolment.pk)}"' in home


def test_a_sections_evidence_is_paginated_and_filtered_by_kind(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    for n in range(22):
        _text(cld_portfolio, aroha, f"Piece {n:02d}")
    evidence.add_link(
        section=cld_portfolio.sections.get(position=1), actor=aroha, title="Newsletter", url="https://example.org/n"
    )
    client = client_for(aroha)
    url = _url("learner-section", cld_enrolment.pk, 1)
    first = client.get(url).content.decode()
    assert "Piece 19" in first
    assert "Piece 20" not in first
    assert "Page 1 of 2" in first
    assert "Map to competencies" in first  # the micro-credential has competencies, not criteria
    second = client.get(url + "?page=2").content.decode()
    assert "Piece 20" in second
    assert "Newsletter" in second
    links = client.get(url + "?kind=link").content.decode()
    assert "Newsletter" in links
    assert "Piece 00" not in links
    assert "No evidence of that kind here." in client.get(url + "?kind=file").content.decode()


def test_headings_in_writing_sit_below_the_pages_own_headings(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: ClientFor
) -> None:
    section = cld_portfolio.sections.get(position=1)
    evidence.add_text(section=section, actor=aroha, title="Story", html="<h2>Start</h2><h3>Detail</h3><h4>Aside</h4>")
    html = client_for(aroha).get(_url("learner-section", cld_enrolment.pk, 1)).content.decode()
    assert "<h4>Start</h4><h5>Detail</h5><h6>Aside</h6>" in html


def test_the_upload_page_never_runs_inside_a_request_transaction() -> None:
    """add_file deletes what it stored if recording fails; an outer transaction's rollback would leave the file."""
    assert "default" in getattr(learner_views.add_file, "_non_atomic_requests", set())
