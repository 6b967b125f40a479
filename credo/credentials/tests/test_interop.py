"""The interoperability gate: the Digital Credentials Consortium's verifier checks what credo issues.

Every shape credo issues (micro-credential, unit, qualification, CLR transcript,
status list credential, revoked and suspended credentials) is verified offline
by the DCC's JavaScript libraries (``interop/verify.mjs``) and, for Open
Badges, validated against 1EdTech's JSON schema; tampered copies must fail.
``make test`` installs the pinned npm packages first (``make interop``).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credo.accounts.models import Organisation, User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Attainment, Credential, Issuer, StatusList
from credo.credentials.ob3.contexts import CONTEXT_DIR
from credo.credentials.ob3.keys import SigningKey
from credo.credentials.ob3.proofs import sign
from credo.credentials.ob3.schemas import ACHIEVEMENT_CREDENTIAL_SCHEMA
from credo.credentials.services import issuance
from credo.credentials.services.issuers import did_document
from credo.credentials.services.status import status_list_json

from .ob3_samples import micro_credential

ROOT = Path(__file__).resolve().parents[3]
INTEROP = ROOT / "interop"


def dcc_verify(
    tmp_path: Path, documents: dict[str, str], *, dids: dict[str, Any], status: dict[str, Any]
) -> dict[str, Any]:
    """Run the DCC verifier over ``documents`` (name -> exact JSON text); returns its verdict per name."""
    if not (INTEROP / "node_modules").is_dir():
        pytest.fail("The DCC libraries are not installed: run `make interop` (make test does it first).")
    files = []
    for name, text in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    (tmp_path / "dids.json").write_text(json.dumps(dids), encoding="utf-8")
    (tmp_path / "status.json").write_text(json.dumps(status), encoding="utf-8")
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: run `make interop` (make test does it first).")
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [
            node, str(INTEROP / "verify.mjs"),
            "--contexts", str(CONTEXT_DIR),
            "--dids", str(tmp_path / "dids.json"),
            "--status", str(tmp_path / "status.json"),
            "--schema", str(ACHIEVEMENT_CREDENTIAL_SCHEMA),
            *files,
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode == 2 or not result.stdout.strip():
        pytest.fail(f"The DCC verifier could not run: {result.stderr[-2000:]}")
    verdicts = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {Path(v["file"]).stem: v for v in verdicts}


def _issued_world(issuer: Issuer) -> tuple[dict[str, Any], dict[str, Any]]:
    dids = {issuer.did: did_document(issuer)} if issuer.did.startswith("did:web:") else {}
    status = {}
    for status_list in StatusList.objects.filter(issuer=issuer):
        document = json.loads(status_list_json(status_list))
        status[document["id"]] = document
    return dids, status


def _tampered(text: str) -> str:
    document = json.loads(text)
    document["name"] = document.get("name", "") + " (edited)"
    return json.dumps(document, ensure_ascii=False)


@pytest.mark.django_db
def test_every_shape_credo_issues_verifies_in_the_dcc_verifier(
    tmp_path: Path,
    issuer: Issuer,
    catalogue: SmallCatalogue,
    award_attainments: list[Attainment],
    learner: User,
    ratifier: User,
    awarding_body: Organisation,
) -> None:
    issuance.issue_pending(issuer)
    unit = Credential.objects.get(attainment=award_attainments[0])
    qualification = Credential.objects.get(attainment__achievement__qualification=catalogue.award)
    transcript = issuance.issue_transcript(learner, issuer)
    dids, status = _issued_world(issuer)
    list_credential = next(iter(status.values()))
    documents = {
        "unit": unit.issued_json,
        "qualification": qualification.issued_json,
        "transcript": transcript.issued_json,
        "status_list": json.dumps(list_credential),
        "unit_tampered": _tampered(unit.issued_json),
        "transcript_tampered": _tampered(transcript.issued_json),
        "status_list_tampered": _tampered(json.dumps(list_credential)),
    }
    verdicts = dcc_verify(tmp_path, documents, dids=dids, status=status)
    for name in ("unit", "qualification", "transcript", "status_list"):
        assert verdicts[name]["verified"], (name, json.dumps(verdicts[name]))
    assert verdicts["unit"]["schema"] is True
    assert verdicts["qualification"]["schema"] is True
    assert len(verdicts["transcript"]["embedded"]) == 4
    assert all(embedded["verified"] for embedded in verdicts["transcript"]["embedded"])
    for name in ("unit_tampered", "transcript_tampered", "status_list_tampered"):
        assert not verdicts[name]["verified"], name
        assert verdicts[name]["signature"] is False, name

    # Now the issuer revokes one unit and suspends another: the re-signed status lists say so.
    revoked = Credential.objects.get(attainment=award_attainments[1])
    suspended = Credential.objects.get(attainment=award_attainments[2])
    services.revoke(revoked, actor=ratifier, reason="Issued in error")
    services.suspend(suspended, actor=ratifier, reason="Under review")
    dids, status = _issued_world(issuer)
    later = dcc_verify(
        tmp_path,
        {"revoked": revoked.issued_json, "suspended": suspended.issued_json, "transcript": transcript.issued_json},
        dids=dids,
        status=status,
    )
    assert later["revoked"]["status"]["revoked"] is True
    assert later["revoked"]["signature"] is True
    assert not later["revoked"]["verified"]
    assert later["suspended"]["status"]["suspended"] is True
    assert not later["suspended"]["verified"]
    # A transcript holding a revoked credential no longer verifies as a whole.
    assert not later["transcript"]["verified"]
    assert later["transcript"]["signature"] is True


@pytest.mark.django_db
def test_did_key_credentials_verify_in_the_dcc_verifier_across_a_key_rotation(
    tmp_path: Path, awarding_body: Organisation, catalogue_admin: User, catalogue: SmallCatalogue, learner: User
) -> None:
    """A did:key issuer's DID changes with its key: each credential's status list must stay under its DID."""
    issuer = services.create_issuer(awarding_body, actor=catalogue_admin, email="c@awards.example", did_method="key")
    micro = services.achievement_for_qualification(micro_credential_in(catalogue_admin, awarding_body))

    def award(achievement: Any) -> Credential:
        attainment = services.record_attainment(
            learner=learner,
            achievement=achievement,
            route="direct_award",
            attained_on=datetime(2024, 11, 20, tzinfo=UTC).date(),
            decided_by=catalogue_admin,
        )
        return issuance.issue_credential(attainment)

    before = award(micro)
    services.rotate_key(issuer, actor=catalogue_admin)
    after = award(services.achievement_for_unit(catalogue.shared_units[0]))
    services.revoke(before, actor=catalogue_admin, reason="Issued in error")
    assert json.loads(before.issued_json)["issuer"]["id"] != json.loads(after.issued_json)["issuer"]["id"]
    dids, status = _issued_world(issuer)
    verdicts = dcc_verify(
        tmp_path, {"before": before.issued_json, "after": after.issued_json}, dids=dids, status=status
    )
    assert verdicts["after"]["verified"], verdicts["after"]
    assert verdicts["before"]["signature"] is True, verdicts["before"]
    assert verdicts["before"]["status"]["revoked"] is True, verdicts["before"]
    assert verdicts["before"]["errors"] == [] or all("revoked" in e.lower() for e in verdicts["before"]["errors"]), (
        verdicts["before"]
    )


def micro_credential_in(actor: User, owner: Organisation) -> Any:
    from credo.catalogue import services as catalogue_services
    from credo.catalogue.models import QualificationKind
    from credo.catalogue.tests.builders import make_qualification

    draft = make_qualification(actor, owner, "7000099", "Test micro-credential", QualificationKind.MICRO_CREDENTIAL)
    catalogue_services.set_competencies(
        actor=actor, qualification=draft, competencies=[("1", "Facilitate community-led development")]
    )
    return catalogue_services.publish_qualification(actor=actor, qualification=draft)


def _awkward_texts() -> list[str]:
    fixed = [
        "Te Whānau-ā-Apanui, Ngāti Porou",
        "Aroha 🌱✨ Ngata",
        "مرحبا بالعالم",
        "שלום עולם",
        "\uff21\uff22\uff23 \U0001f600 \uff5a \U0001f331\uffe6",
        "tab\there\nnew line\x07bell\x00nul\x1f\x7f",
        "\u202eright-to-left override\u2028line separator\u2029",
        'Zoë O\'Brien-Smith "quoted" \\ backslash',
        "\ufeffbyte order mark and \u200b zero width",
    ]
    generator = random.Random(20261123)  # fixed seed: the same strings every run, drawn from every plane
    ranges = [(0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x6FF), (0x900, 0xDFF), (0x3040, 0x9FFF), (0xFF00, 0xFFEF),
              (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0x0, 0x1F)]  # fmt: skip
    for _ in range(24):
        characters = []
        for _ in range(generator.randint(1, 30)):
            low, high = generator.choice(ranges)
            characters.append(chr(generator.randint(low, high)))
        fixed.append("".join(characters))
    return fixed


def test_names_and_narratives_in_any_script_sign_and_verify_in_both_implementations(tmp_path: Path) -> None:
    key = SigningKey.generate()
    texts = _awkward_texts()
    documents = {}
    for index, text in enumerate(texts):
        unsigned = micro_credential(key, learner_name=text, narrative=text[::-1] or "x")
        del unsigned["credentialStatus"]  # no status lists here: this is about the text
        signed = sign(unsigned, key, datetime(2025, 1, 1, tzinfo=UTC))
        documents[f"text{index:02d}"] = json.dumps(signed, ensure_ascii=False)
        tampered = copy.deepcopy(signed)
        tampered["credentialSubject"]["identifier"][0]["identityHash"] = text + "!"
        documents[f"text{index:02d}_tampered"] = json.dumps(tampered, ensure_ascii=False)
    verdicts = dcc_verify(tmp_path, documents, dids={}, status={})
    failures = {
        name: v["errors"] for name, v in verdicts.items() if not name.endswith("_tampered") and not v["verified"]
    }
    assert failures == {}
    assert not any(v["verified"] for name, v in verdicts.items() if name.endswith("_tampered"))
