"""Everything that changes credentials' state: issuers and keys, achievements, attainments, issuance, status.

Other apps (assessment's ratification, for one) call these; nothing else writes
credentials' models.
"""

from credo.credentials.services.achievements import achievement_for_qualification, achievement_for_unit
from credo.credentials.services.attainments import record_attainment
from credo.credentials.services.issuance import issue_credential, issue_pending, issue_transcript
from credo.credentials.services.issuers import create_issuer, rotate_key, signing_key_for
from credo.credentials.services.status import reinstate, revoke, suspend

__all__ = [
    "achievement_for_qualification",
    "achievement_for_unit",
    "create_issuer",
    "issue_credential",
    "issue_pending",
    "issue_transcript",
    "record_attainment",
    "reinstate",
    "revoke",
    "rotate_key",
    "signing_key_for",
    "suspend",
]
