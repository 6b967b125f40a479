"""Bulk issuance in a throwaway installation: the two steps ``bench.credentials`` runs as subprocesses.

    python -m bench.bulk setup COUNT     an issuer (Otago Polytechnic) and COUNT attainments of its
                                         CLD facilitation micro-credential, none issued yet
    python -m bench.bulk issue           time issue_pending(issuer) in a fresh process

Each prints one JSON object as its last line of stdout. ``issue`` runs in its own
process so its peak resident memory (``ru_maxrss``) is issuance's alone, not the
setup's; it reports the resident memory before issuing too, for comparison.
The setup writes rows directly (bulk_create) because the setup is not what is
measured; issuance goes through the service exactly as the task worker calls it.
"""

from __future__ import annotations

import datetime
import json
import resource
import sys
import time

import django

ISSUER_SLUG = "otago-polytechnic"
MICRO_CREDENTIAL = "CLD-FACILITATION"
ACTOR = "bench:bulk"


def _kib_now() -> int:
    """Resident memory now (VmRSS), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123 - a Linux proc file
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def setup(count: int) -> dict[str, object]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from credo.accounts.models import Organisation, User
    from credo.catalogue.interchange import import_catalogue, parse_document
    from credo.catalogue.models import Qualification
    from credo.credentials import services
    from credo.credentials.models import Attainment, Route
    from credo.front.demo import CATALOGUE_FILE

    import_catalogue(actor=ACTOR, document=parse_document(CATALOGUE_FILE.read_text(encoding="utf-8")))
    organisation = Organisation.objects.get(slug=ISSUER_SLUG)
    issuer = services.create_issuer(organisation, actor=ACTOR, email="credentials@op.ac.nz")
    achievement = services.achievement_for_qualification(Qualification.objects.get(code=MICRO_CREDENTIAL))
    unusable = make_password(None)
    with transaction.atomic():
        learners = User.objects.bulk_create(
            User(email=f"graduate{n:05d}@example.org.nz", full_name=f"Graduate {n:05d}", password=unusable)
            for n in range(count)
        )
        Attainment.objects.bulk_create(
            Attainment(
                learner=learner,
                achievement=achievement,
                route=Route.DIRECT_AWARD,
                attained_on=datetime.date(2024, 10, 1),
                note="Past graduates, brought in by bulk award",
            )
            for learner in learners
        )
    return {"issuer": issuer.pk, "attainments": count}


def issue() -> dict[str, object]:
    from credo.credentials.models import Credential, Issuer
    from credo.credentials.ob3.keys import public_key_from_did_key
    from credo.credentials.ob3.proofs import verify
    from credo.credentials.services.issuance import issue_pending

    issuer = Issuer.objects.get(organisation__slug=ISSUER_SLUG)
    pending = issuer.achievements.get().attainments.count()
    before_kib = _kib_now()
    started = time.perf_counter()
    issued = issue_pending(issuer, actor=ACTOR)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Outside the timing: one credential per attainment, and what was issued verifies.
    credentials = Credential.objects.filter(issuer=issuer)
    if issued != pending or credentials.count() != pending:
        raise SystemExit(f"issued {issued}, stored {credentials.count()}, for {pending} attainments")
    if credentials.values("attainment").distinct().count() != pending:
        raise SystemExit("some attainment has two credentials")
    for credential in (credentials.order_by("pk").first(), credentials.order_by("pk").last()):
        assert credential is not None
        check = verify(json.loads(credential.issued_json), public_key_from_did_key)
        if not check.valid:
            raise SystemExit(f"credential {credential.pk} does not verify: {check.problem}")
    return {"issued": issued, "seconds": seconds, "peak_kib": peak_kib, "before_kib": before_kib}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "issue"} or (argv[0] == "setup" and len(argv) != 2):
        print("usage: python -m bench.bulk setup COUNT | issue", file=sys.stderr)
        return 2
    django.setup()
    result = setup(int(argv[1])) if argv[0] == "setup" else issue()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
