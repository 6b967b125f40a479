"""What credentials puts on the dashboard: a learner's credentials, and issuing for an issuer's staff; and, for the
catalogue's progression checker, the units a learner holds. Registered in ``CredentialsConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from credo.accounts.models import Role
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer
from credo.credentials import access, presentation
from credo.credentials.models import Attainment, Credential, CredentialState, Issuer

#: The home shows the newest few; "My credentials" lists them all.
CREDENTIALS_SHOWN = 5


def _learner_section(viewer: Viewer) -> list[Panel]:
    current = access.learner_credentials(viewer.user).filter(superseded_at__isnull=True)
    shown = list(current[: CREDENTIALS_SHOWN + 1])
    if not shown:
        return []
    now = timezone.now()
    rows = [(credential, presentation.status_of(credential, now)) for credential in shown[:CREDENTIALS_SHOWN]]
    return [
        Panel(
            key=("learner", "credentials"),
            heading="Your credentials",
            order=panels.LEARNER_HOLDS,
            links=(
                Link("My credentials", reverse("my-credentials")),
                Link("Check your progression", reverse("catalogue:progression")),
            ),
            template="credentials/panels/learner_credentials.html",
            context={"rows": rows, "more": len(shown) > CREDENTIALS_SHOWN},
        )
    ]


def _issuing(viewer: Viewer) -> list[Panel]:
    """'Issue credentials' for an issuer's programme admins and ratifiers; 'Set up credential issuing' for the
    programme admins of an awarding body or issuing institution that has no issuer profile yet (one query)."""
    staff = viewer.memberships_as(*access.ISSUER_STAFF)
    if not staff:
        return []
    issuing = set(
        Issuer.objects.filter(organisation_id__in=[m.organisation_id for m in staff]).values_list(
            "organisation_id", flat=True
        )
    )
    found = []
    for membership in staff:
        slug = membership.organisation.slug
        if membership.organisation_id in issuing:
            link = Link("Issue credentials", reverse("issuing:home", kwargs={"slug": slug}))
        elif membership.role == Role.PROGRAMME_ADMIN and membership.organisation.kind in access.ISSUING_KINDS:
            link = Link("Set up credential issuing", reverse("issuing:setup", kwargs={"slug": slug}))
        else:
            continue
        found.append(panels.for_membership(membership, links=[link]))
    return found


def contribute(viewer: Viewer) -> Iterable[Panel]:
    return [*_learner_section(viewer), *_issuing(viewer)]


def units_held_by(user: Any) -> list[str]:
    """The codes of the units the user's attainments show they hold (one query). An attainment whose current
    credential was revoked no longer counts: the issuer withdrew it."""
    revoked = Credential.objects.filter(
        attainment=OuterRef("pk"), superseded_at__isnull=True, state=CredentialState.REVOKED
    )
    held = Attainment.objects.filter(learner_id=user.pk, achievement__unit__isnull=False).exclude(Exists(revoked))
    return list(held.values_list("achievement__unit__code", flat=True).distinct())
