"""Written text is sanitised, counted and versioned, and a stale editor is refused; links are web addresses only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.portfolios.models import EvidenceItem, EvidenceVersion, Portfolio, PortfolioSection
from credo.portfolios.services import evidence
from credo.portfolios.services.common import EditConflictError
from credo.portfolios.services.sanitising import sanitise_html, word_count
from credo.programmes.models import Enrolment
from credo.programmes.services import enrolments

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(cld_portfolio: Portfolio) -> PortfolioSection:
    return cld_portfolio.sections.get(position=1)


@pytest.fixture
def case_study(section: PortfolioSection, aroha: User) -> EvidenceItem:
    return evidence.add_text(section=section, actor=aroha, title="Case study", html="<p>First draft</p>")


@pytest.mark.parametrize(
    ("raw", "gone"),
    [
        ("<p>Hi</p><script>alert('x')</script>", "alert"),
        ('<p>Hi<img src="x" onerror="alert(1)"></p>', "onerror"),
        ('<p><a href="javascript:alert(1)">click</a></p>', "javascript:"),
        ('<p style="color:red" onclick="steal()">Hi</p>', "style"),
        ("<style>p { display: none }</style><p>Hi</p>", "display"),
        ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">x</a></p>', "data:"),
        ("<iframe src='https://evil.example'></iframe><p>Hi</p>", "iframe"),
    ],
)
def test_what_could_run_or_restyle_is_removed(raw: str, gone: str) -> None:
    assert gone not in sanitise_html(raw)


def test_headings_lists_emphasis_and_links_are_kept() -> None:
    raw = (
        "<h2>What happened</h2><h3>First</h3><p><strong>Bold</strong>, <b>b</b>, <em>it</em>, <i>i</i></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
        '<p><a href="https://example.org/report" target="_blank">report</a></p>'
    )
    clean = sanitise_html(raw)
    for kept in (
        "<h2>What happened</h2>",
        "<h3>First</h3>",
        "<strong>Bold</strong>",
        "<em>it</em>",
        "<ul><li>one</li>",
    ):
        assert kept in clean
    assert '<a href="https://example.org/report" rel="noopener noreferrer">report</a>' in clean
    assert "target" not in clean


def test_words_are_counted_as_a_reader_counts_them() -> None:
    assert word_count(sanitise_html("<h2>Two words</h2><p>and&nbsp;three more</p><ul><li>six</li></ul>")) == 6
    assert word_count("") == 0


def test_adding_text_keeps_version_one_and_is_audited(case_study: EvidenceItem, aroha: User) -> None:
    assert case_study.version == 1
    assert case_study.word_count == 2
    version = EvidenceVersion.objects.get(item=case_study)
    assert (version.number, version.html, version.saved_by) == (1, "<p>First draft</p>", aroha)
    assert AuditEvent.objects.filter(action="portfolios.text_added", object_id=str(case_study.pk)).exists()


def test_each_save_is_a_new_version_and_the_old_ones_are_kept(case_study: EvidenceItem, aroha: User) -> None:
    item = evidence.save_text(item=case_study, actor=aroha, html="<p>Second draft here</p>", expected_version=1)
    item = evidence.save_text(item=item, actor=aroha, html="<p>Third <script>x()</script></p>", expected_version=2)
    assert item.version == 3
    assert item.html == "<p>Third </p>"
    assert list(item.versions.values_list("number", "word_count")) == [(1, 2), (2, 3), (3, 1)]


def test_saving_the_same_text_again_makes_no_new_version(case_study: EvidenceItem, aroha: User) -> None:
    item = evidence.save_text(item=case_study, actor=aroha, html="<p>First draft</p>", expected_version=1)
    assert item.version == 1
    assert item.versions.count() == 1


def test_a_second_tab_with_a_stale_version_is_refused_and_told_how_to_merge(
    case_study: EvidenceItem, aroha: User
) -> None:
    evidence.save_text(item=case_study, actor=aroha, html="<p>Saved in tab one</p>", expected_version=1)
    with pytest.raises(EditConflictError) as refused:
        evidence.save_text(item=case_study, actor=aroha, html="<p>Typed in tab two</p>", expected_version=1)
    # 'Now' is 09:00 in Auckland (the cohort's zone).
    assert refused.value.messages == [
        "This was changed in another tab or window at 09:00; copy your text, reload, and merge."
    ]
    case_study.refresh_from_db()
    assert case_study.html == "<p>Saved in tab one</p>"
    assert case_study.versions.count() == 2


def test_others_cannot_write_in_a_learners_portfolio(
    section: PortfolioSection, case_study: EvidenceItem, provider_admin: User, outsider: User
) -> None:
    for person in (provider_admin, outsider):
        with pytest.raises(PermissionDenied):
            evidence.add_text(section=section, actor=person, title="Mine", html="<p>x</p>")
        with pytest.raises(PermissionDenied):
            evidence.save_text(item=case_study, actor=person, html="<p>x</p>", expected_version=1)
        with pytest.raises(PermissionDenied):
            evidence.remove_item(item=case_study, actor=person)


def test_a_learner_who_has_left_cannot_change_their_evidence(
    section: PortfolioSection, cld_enrolment: Enrolment, aroha: User
) -> None:
    enrolments.withdraw(cld_enrolment, actor=aroha, reason="Moving away")
    with pytest.raises(ValidationError, match="only be changed while you are studying"):
        evidence.add_text(section=section, actor=aroha, title="Late", html="<p>x</p>")


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Give the evidence a title."), ("   ", "Give the evidence a title."), ("x" * 251, "250 characters")],
)
def test_a_title_is_needed(section: PortfolioSection, aroha: User, title: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        evidence.add_text(section=section, actor=aroha, title=title, html="<p>x</p>")
    assert not EvidenceItem.objects.exists()


def test_a_link_is_kept(section: PortfolioSection, aroha: User) -> None:
    item = evidence.add_link(section=section, actor=aroha, title="Our newsletter", url=" https://example.org/news ")
    assert (item.kind, item.url) == ("link", "https://example.org/news")
    assert AuditEvent.objects.filter(action="portfolios.link_added").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the link's address"),
        ("javascript:alert(1)", "starting with https://"),
        ("ftp://example.org/file", "starting with https://"),
        ("data:text/html,hi", "starting with https://"),
        ("https://", "Enter a full web address"),
        ("https://exa mple.org", "Enter a full web address"),
        ("https://example.org/" + "a" * 2000, "longer than 2000 characters"),
    ],
)
def test_a_link_that_is_not_a_web_address_is_refused(
    section: PortfolioSection, aroha: User, url: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        evidence.add_link(section=section, actor=aroha, title="A link", url=url)
    assert not EvidenceItem.objects.exists()


def test_sharing_in_a_credential_is_off_until_the_learner_says_so(case_study: EvidenceItem, aroha: User) -> None:
    assert case_study.share_in_credential is False
    assert evidence.set_sharing(item=case_study, actor=aroha, share=True).share_in_credential is True
    assert AuditEvent.objects.filter(action="portfolios.sharing_changed").count() == 1


def test_removing_text_removes_its_versions(case_study: EvidenceItem, aroha: User) -> None:
    evidence.remove_item(item=case_study, actor=aroha)
    assert not EvidenceItem.objects.exists()
    assert not EvidenceVersion.objects.exists()
    assert AuditEvent.objects.filter(action="portfolios.item_removed").exists()


def test_text_past_the_limit_is_refused_saying_what_to_do(
    section: PortfolioSection, case_study: EvidenceItem, aroha: User
) -> None:
    too_long = "<p>" + "word " * (evidence.TEXT_MAX // 5) + "</p>"
    with pytest.raises(ValidationError, match="split it into more than one piece of writing"):
        evidence.add_text(section=section, actor=aroha, title="Long", html=too_long)
    with pytest.raises(ValidationError, match="split it into more than one piece of writing"):
        evidence.save_text(item=case_study, actor=aroha, html=too_long, expected_version=1)
    assert EvidenceItem.objects.count() == 1
