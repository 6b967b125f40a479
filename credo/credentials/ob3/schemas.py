"""Validation against 1EdTech's Open Badges 3.0 JSON Schema (pinned in ``schemas/``).

One deliberate relaxation, applied here and not to the pinned file: the
schema allows a single ``credentialStatus`` object, while VC 2.0 allows one or
more, and credo gives each credential two (a revocation entry and a suspension
entry, the form the Bitstring Status List spec and the DCC verifier use).
So an array of CredentialStatus objects is also accepted; nothing else changes.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

SCHEMA_DIR = Path(__file__).parent / "schemas"
ACHIEVEMENT_CREDENTIAL_SCHEMA = SCHEMA_DIR / "ob_v3p0_achievementcredential_schema.json"


@cache
def _validator() -> Draft201909Validator:
    schema = json.loads(ACHIEVEMENT_CREDENTIAL_SCHEMA.read_text(encoding="utf-8"))
    relaxed = copy.deepcopy(schema)
    single = relaxed["properties"]["credentialStatus"]
    relaxed["properties"]["credentialStatus"] = {"oneOf": [single, {"type": "array", "minItems": 1, "items": single}]}
    return Draft201909Validator(relaxed, format_checker=FormatChecker())


def achievement_credential_problems(document: Any) -> list[str]:
    """What the OB 3.0 schema says is wrong with ``document``, one line per problem (empty when valid)."""
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(step) for step in error.absolute_path) or "(the credential)"
        problems.append(f"{where}: {error.message[:300]}")
    return problems
