"""A plain Python library for Open Badges 3.0 and CLR 2.0 verifiable credentials.

No Django here: it composes credentials, canonicalizes them with RDFC-1.0, signs
and verifies ``DataIntegrityProof`` / ``eddsa-rdfc-2022`` proofs, builds did:key
and did:web documents, and reads and writes Bitstring Status Lists. JSON-LD
contexts come only from the files in ``contexts/``; nothing is fetched.

The Django app around it (issuers, keys at rest, issuance, public pages) lives
one level up in ``credo.credentials``.
"""

from credo.credentials.ob3.errors import CredentialError, DocumentRejected

__all__ = ["CredentialError", "DocumentRejected"]
