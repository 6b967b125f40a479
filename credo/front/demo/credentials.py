"""The demo's credentials: past micro-credential graduates and an SEG learner's Award, then Certificate.

Made with the same services staff use: Otago Polytechnic brings its past
graduates in by bulk award (one credential later revoked, one suspended); SEG
Awards ratifies Jordan Ellis's L3 Award units, then the rest of the L3
Certificate, and issues a CLR transcript of the lot.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured

from credo.accounts.models import Organisation, User
from credo.catalogue.models import Qualification, Unit
from credo.core import jobs
from credo.credentials import services
from credo.credentials.models import Credential, Issuer, Route
from credo.credentials.services.awards import upload_awards
from credo.credentials.services.bulk import apply_awards
from credo.credentials.services.issuance import issue_pending

ACTOR = "demo:load_demo"
MICRO_CREDENTIAL = "CLD-FACILITATION"
SEG_L3_AWARD_UNITS = ("J/615/8322", "D/615/8309", "L/615/8323")
SEG_L3_CERTIFICATE_UNITS = ("F/615/8318", "L/615/8306", "A/615/8320", "T/615/8316", "R/615/8310", "Y/615/8325")

#: Fictional graduates of the 2023 and 2024 cohorts; the first has a demo login.
GRADUATES_CSV = """email,full_name,achievement,attained_on,route,note
graduate@inspiring.example,Hemi Tāwhiri,CLD-FACILITATION,2023-11-24,direct_award,2023 cohort
grace.liu@inspiring.example,Grace Liu,CLD-FACILITATION,2023-11-24,direct_award,2023 cohort
sina.falaniko@inspiring.example,Sina Falaniko,CLD-FACILITATION,2024-11-15,direct_award,2024 cohort
paul.henderson@inspiring.example,Paul Henderson,CLD-FACILITATION,2024-11-15,direct_award,2024 cohort
ngaire.thompson@inspiring.example,Ngaire Thompson,CLD-FACILITATION,2024-11-15,direct_award,2024 cohort
"""
REVOKED = ("paul.henderson@inspiring.example", "Awarded in error: the submission had not been ratified.")
SUSPENDED = ("ngaire.thompson@inspiring.example", "Under review after a query about one of the attestations.")


def _issuer(slug: str, email: str, description: str) -> Issuer:
    organisation = Organisation.objects.get(slug=slug)
    existing = Issuer.objects.filter(organisation=organisation).first()
    return existing or services.create_issuer(organisation, actor=ACTOR, email=email, description=description)


def _micro_credential_graduates(ratifier: User) -> None:
    issuer = _issuer(
        "otago-polytechnic",
        "credentials@op.example",
        "Otago Polytechnic recognises the learning of people already working in communities.",
    )
    services.achievement_for_qualification(Qualification.objects.live().get(code=MICRO_CREDENTIAL))
    batch, plan = upload_awards(
        actor=ratifier, issuer=issuer, file_name="past-graduates.csv", data=GRADUATES_CSV.encode()
    )
    if not plan.ok:
        raise ImproperlyConfigured(f"The demo's graduates file is wrong: {[str(p) for p in plan.problems]}")
    job = apply_awards(batch, actor=ratifier)
    jobs.run_job.call(job_id=str(job.public_id))  # now, not in the background, as the worker would run it
    issue_pending(issuer, actor=ratifier)  # now, not in the background: the demo revokes and suspends below
    for (email, reason), change in ((REVOKED, services.revoke), (SUSPENDED, services.suspend)):
        change(Credential.objects.get(issuer=issuer, learner__email=email), actor=ratifier, reason=reason)


def _seg_learner(learner: User, ratifier: User) -> None:
    issuer = _issuer(
        "seg-awards",
        "certification@seg.example",
        "SEG Awards is an Ofqual-regulated awarding organisation.",
    )
    for codes, day, batch in (
        (SEG_L3_AWARD_UNITS, datetime.date(2025, 7, 10), "SEG ratification 2025-07"),
        (SEG_L3_CERTIFICATE_UNITS, datetime.date(2026, 7, 9), "SEG ratification 2026-07"),
    ):
        for code in codes:
            services.record_attainment(
                learner=learner,
                achievement=services.achievement_for_unit(Unit.objects.get(code=code)),
                route=Route.RATIFIED_ASSESSMENT,
                attained_on=day,
                decided_by=ratifier,
                note=batch,
            )
    issue_pending(issuer, actor=ratifier)
    services.issue_transcript(learner, issuer, actor=ratifier)


def load_credentials() -> None:
    """Issuers, awards and credentials; skipped when the demo already has them."""
    if Issuer.objects.exists():
        return
    _micro_credential_graduates(User.objects.get(email="ratifier@otago.example"))
    _seg_learner(
        User.objects.get(email="learner@riverside.example"), User.objects.get(email="certification@seg.example")
    )
