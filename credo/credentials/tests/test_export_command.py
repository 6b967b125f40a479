"""``manage.py export_credentials DIR``: every credential and status list credential, byte for byte as issued."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue.tests.builders import SmallCatalogue, make_unit
from credo.credentials import services
from credo.credentials.models import Attainment, Credential, Issuer, StatusList
from credo.credentials.services import issuance
from credo.credentials.services.issuers import did_document

from .conftest import attain
from .test_interop import dcc_verify

pytestmark = pytest.mark.django_db


def export(directory: Path, *args: str) -> str:
    out = StringIO()
    call_command("export_credentials", str(directory), *args, stdout=out)
    return out.getvalue()


def files_under(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def history(award_attainments: list[Attainment], issuer: Issuer, learner: User, ratifier: User) -> list[Credential]:
    """Unit and Award credentials, one revoked, one suspended, one re-issued after a name change, and a transcript."""
    issuance.issue_pending(issuer)
    first, second, third = (a.credentials.get() for a in award_attainments)
    services.revoke(first, actor=ratifier, reason="Issued in error")
    services.suspend(second, actor=ratifier, reason="Under review")
    issuance.reissue(third, actor=ratifier, reason="Name corrected")
    issuance.issue_transcript(learner, issuer)
    return list(Credential.objects.order_by("pk"))


@pytest.fixture
def other_issuer(db: None) -> Issuer:
    organisation = OrganisationFactory(slug="third-awards", kind="awarding_body")
    admin = MembershipFactory(user=UserFactory(), organisation=organisation, role=Role.PROGRAMME_ADMIN).user
    issuer = services.create_issuer(organisation, actor=admin, email="c@third.example", did_method="web")
    issuance.issue_credential(attain(UserFactory(), make_unit(admin, organisation, "7000900", "Another unit"), admin))
    return issuer


def test_every_credential_and_status_list_is_written_byte_for_byte(tmp_path: Path, history: list[Credential]) -> None:
    target = tmp_path / "export"
    summary = export(target)
    assert len(history) == 6  # 3 units (one re-issued, so 4), the Award, the transcript
    expected = {f"test-awards/credentials/{c.public_id}.json" for c in history}
    expected |= {f"test-awards/status/{purpose}-1.json" for purpose in ("revocation", "suspension")}
    assert files_under(target) == expected
    for credential in history:
        assert (target / f"test-awards/credentials/{credential.public_id}.json").read_bytes() == (
            credential.issued_json.encode("utf-8")
        )
    for status_list in StatusList.objects.all():
        written = target / f"test-awards/status/{status_list.purpose}-{status_list.number}.json"
        assert written.read_bytes() == status_list.signed_json.encode("utf-8")
    assert summary.startswith(
        "Exported 6 credentials (2 revoked, 1 suspended, 1 replaced by a re-issue) "
        f"and 2 status list credentials of 1 issuer(s) to {target}."
    )


def test_a_status_list_never_served_is_signed_and_written_as_it_will_be_served(
    tmp_path: Path, award_attainments: list[Attainment], client: Client
) -> None:
    credential = issuance.issue_credential(award_attainments[0])
    assert set(StatusList.objects.values_list("signed_json", flat=True)) == {""}
    summary = export(tmp_path)
    assert "2 status list(s) had never been fetched, so were signed now" in summary
    served = client.get(f"/status/test-awards/revocation/{credential.status_list_number}")
    assert (tmp_path / "test-awards/status/revocation-1.json").read_bytes() == served.content


def test_an_exported_credential_verifies_in_the_dcc_verifier_and_a_revoked_one_is_reported_revoked(
    tmp_path: Path, history: list[Credential], issuer: Issuer
) -> None:
    target = tmp_path / "export"
    export(target)
    status = {}
    for path in (target / "test-awards/status").iterdir():
        document = json.loads(path.read_text(encoding="utf-8"))
        status[document["id"]] = document
    award = next(c for c in history if c.attainment and c.attainment.achievement.kind == "qualification")
    revoked = history[0]
    documents = {
        name: (target / f"test-awards/credentials/{c.public_id}.json").read_text(encoding="utf-8")
        for name, c in (("award", award), ("revoked", revoked))
    }
    (tmp_path / "verify").mkdir()
    verdicts = dcc_verify(tmp_path / "verify", documents, dids={issuer.did: did_document(issuer)}, status=status)
    assert verdicts["award"]["verified"], json.dumps(verdicts["award"])
    assert verdicts["revoked"]["signature"] is True
    assert verdicts["revoked"]["status"]["revoked"] is True
    assert not verdicts["revoked"]["verified"]


def test_one_issuer_can_be_exported_alone(
    tmp_path: Path, award_attainments: list[Attainment], other_issuer: Issuer
) -> None:
    mine = issuance.issue_credential(award_attainments[0])
    summary = export(tmp_path, "--issuer", "third-awards")
    assert {path.split("/")[0] for path in files_under(tmp_path)} == {"third-awards"}
    assert not (tmp_path / f"test-awards/credentials/{mine.public_id}.json").exists()
    assert "Exported 1 credentials" in summary
    assert "of 1 issuer(s)" in summary


def test_an_unknown_issuer_is_refused_naming_the_known_ones(tmp_path: Path, issuer: Issuer) -> None:
    with pytest.raises(CommandError, match=r"No issuer 'nobody'\. Issuers: test-awards\."):
        export(tmp_path / "out", "--issuer", "nobody")
    assert not (tmp_path / "out").exists()


def test_a_directory_that_is_not_empty_is_refused_unless_forced(tmp_path: Path, history: list[Credential]) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CommandError, match=r"is not empty.*add --force"):
        export(tmp_path)
    assert files_under(tmp_path) == {"notes.txt"}
    export(tmp_path, "--force")
    assert len(files_under(tmp_path)) == 1 + len(history) + 2
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_names_are_stable_from_one_export_to_the_next(tmp_path: Path, history: list[Credential]) -> None:
    export(tmp_path / "first")
    export(tmp_path / "second")
    assert files_under(tmp_path / "first") == files_under(tmp_path / "second")


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path, db: None) -> None:
    (tmp_path / "export").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="is a file; give a directory"):
        export(tmp_path / "export", "--force")


def test_a_missing_directory_is_made(tmp_path: Path, history: list[Credential]) -> None:
    export(tmp_path / "a" / "b")
    assert len(files_under(tmp_path / "a" / "b")) == len(history) + 2


def test_the_queries_do_not_grow_with_the_number_of_credentials(
    tmp_path: Path, issuer: Issuer, catalogue: SmallCatalogue, award_attainments: list[Attainment], ratifier: User
) -> None:
    """Credentials are read in chunks, not one query (or one object) per credential."""
    issuance.issue_pending(issuer)
    export(tmp_path / "signing")  # signs the status lists once, so later exports only read
    few = _queries_of_export(tmp_path / "few")
    for unit in catalogue.optional_units:
        attain(UserFactory(), unit, ratifier)
    issuance.issue_pending(issuer)
    assert Credential.objects.count() == len(award_attainments) + 1 + len(catalogue.optional_units)
    assert _queries_of_export(tmp_path / "many") == few


def _queries_of_export(directory: Path) -> int:
    with CaptureQueriesContext(connection) as captured:
        export(directory)
    return len(captured.captured_queries)
