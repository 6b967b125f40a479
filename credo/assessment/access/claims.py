"""Permission-checked loaders for claims: pages and endpoints get a claim only through these.

The centre's programme admins see and change their centre's claims. The awarding body's external quality assurers
and certification staff (role RATIFIER) see the claims sent to them (not a centre's drafts). Anyone else learns
nothing (404); someone with another role at the centre or the awarding body is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.assessment.models import Assessment, Claim, ClaimState
from credo.assessment.services.claims import awarding_bodies_for

CENTRE = "centre"
AWARDING_BODY = "awarding_body"
#: The awarding body's people who see the claims sent to it.
AWARDING_STAFF = frozenset({Role.EXTERNAL_QA, Role.RATIFIER})


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def claim_for(user: Any, claim_id: int) -> tuple[Claim, str]:
    """A claim, and from which side the viewer sees it: ``CENTRE`` or ``AWARDING_BODY``."""
    if not _signed_in(user):
        raise Http404("No such claim.")
    claim = Claim.objects.select_related("centre", "awarding_body", "created_by", "job").filter(pk=claim_id).first()
    if claim is None:
        raise Http404("No such claim.")
    if Role.PROGRAMME_ADMIN in roles_in(user, claim.centre):
        return claim, CENTRE
    at_body = roles_in(user, claim.awarding_body)
    if at_body & AWARDING_STAFF and claim.state != ClaimState.DRAFT:
        return claim, AWARDING_BODY
    if (roles_in(user, claim.centre) | at_body) - {Role.LEARNER}:
        raise PermissionDenied("Your role does not include claims for certification.")
    raise Http404("No such claim.")


def claim_for_centre(user: Any, claim_id: int) -> Claim:
    """A claim to change: its centre's programme admins only."""
    claim, side = claim_for(user, claim_id)
    if side != CENTRE:
        raise PermissionDenied("Only the centre's programme admins change its claim.")
    return claim


def claim_for_eqa(user: Any, claim_id: int) -> Claim:
    claim, side = claim_for(user, claim_id)
    if side != AWARDING_BODY or Role.EXTERNAL_QA not in roles_in(user, claim.awarding_body):
        raise PermissionDenied("Only the awarding body's external quality assurers review claims.")
    return claim


def claim_for_certification(user: Any, claim_id: int) -> Claim:
    claim, side = claim_for(user, claim_id)
    if side != AWARDING_BODY or Role.RATIFIER not in roles_in(user, claim.awarding_body):
        raise PermissionDenied("Only the awarding body's certification staff approve claims.")
    return claim


def _organisation(user: Any, slug: str, kind: str) -> tuple[Organisation, set[str]]:
    if not _signed_in(user):
        raise Http404("No such organisation.")
    organisation = Organisation.objects.filter(slug=slug, kind=kind).first()
    if organisation is None:
        raise Http404("No such organisation.")
    roles = roles_in(user, organisation)
    if not roles:
        raise Http404("No such organisation.")
    return organisation, roles


def centre_for_claims(user: Any, slug: str) -> Organisation:
    """A centre whose claims the viewer makes: its programme admins."""
    centre, roles = _organisation(user, slug, OrganisationKind.PROVIDER)
    if Role.PROGRAMME_ADMIN not in roles:
        raise PermissionDenied("Only the centre's programme admins make its claims for certification.")
    return centre


def awarding_body_for_claims(user: Any, slug: str) -> Organisation:
    """An awarding body whose received claims the viewer reads: its external quality assurers and certification
    staff."""
    body, roles = _organisation(user, slug, OrganisationKind.AWARDING_BODY)
    if not roles & AWARDING_STAFF:
        raise PermissionDenied("Only the awarding body's external quality assurers and certification staff see claims.")
    return body


def awarding_body_of_centre(centre: Organisation, slug: str) -> Organisation:
    """An awarding body the centre may claim from (one whose qualifications it delivers)."""
    body = awarding_bodies_for(centre).filter(slug=slug).first()
    if body is None:
        raise Http404("The centre delivers nothing of that awarding body's.")
    return body


def received(awarding_body: Organisation) -> QuerySet[Claim]:
    """The claims sent to an awarding body (drafts stay the centre's own)."""
    return Claim.objects.filter(awarding_body=awarding_body).exclude(state=ClaimState.DRAFT)


def sampled_assessment(claim: Claim, assessment_id: int) -> Assessment:
    """An assessment on the claim (for the EQA's sample)."""
    found = Assessment.objects.filter(claim_lines__claim=claim, pk=assessment_id).distinct().first()
    if found is None:
        raise Http404("That portfolio is not on this claim.")
    return found
