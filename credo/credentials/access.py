"""Permission-checked loaders for credentials.

Public documents (DID documents, status lists, a credential the learner
has made public) need no sign-in. Changing anything is for the issuer's
programme admins and ratifiers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from credo.accounts.access import access_organisation, organisations_where
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.credentials.models import Achievement, Attainment, AwardBatch, Credential, Issuer, StatusList

ISSUER_STAFF = [Role.PROGRAMME_ADMIN, Role.RATIFIER]
ISSUING_KINDS = frozenset({OrganisationKind.ISSUING_INSTITUTION, OrganisationKind.AWARDING_BODY})


def public_issuer(slug: str) -> Issuer:
    issuer = Issuer.objects.select_related("organisation").filter(organisation__slug=slug).first()
    if issuer is None:
        raise Http404("No issuer here.")
    return issuer


def public_status_list(slug: str, purpose: str, number: int) -> StatusList:
    status_list = (
        StatusList.objects.select_related("issuer__organisation")
        .filter(issuer__organisation__slug=slug, purpose=purpose, number=number)
        .first()
    )
    if status_list is None:
        raise Http404("No such status list.")
    return status_list


def viewable_credential(user: Any, public_id: str) -> Credential:
    """A credential page: public if the learner allows it; always for the learner and the issuer's staff."""
    credential = (
        Credential.objects.select_related("issuer__organisation", "learner", "attainment__achievement")
        .filter(public_id=public_id)
        .first()
    )
    if credential is None:
        raise Http404("No such credential.")
    if credential.is_public or user == credential.learner or is_issuer_staff(user, credential.issuer):
        return credential
    raise Http404("No such credential.")  # a private credential's existence is not revealed


def is_issuer_staff(user: Any, issuer: Issuer) -> bool:
    return issuer.organisation in organisations_where(user, ISSUER_STAFF)


def is_programme_admin(user: Any, issuer: Issuer) -> bool:
    """Work that touches every learner of an achievement at once (a bulk re-issue) is for programme admins only."""
    return issuer.organisation in organisations_where(user, [Role.PROGRAMME_ADMIN])


def issuer_for_programme_admin(user: Any, slug: str) -> Issuer:
    """The issuer, for its programme admins only (its ratifiers are refused too)."""
    issuer = issuer_for_staff(user, slug)
    if not is_programme_admin(user, issuer):
        raise PermissionDenied(f"Only {issuer}'s programme admins can do this.")
    return issuer


def credential_for_issuer_staff(user: Any, public_id: str) -> Credential:
    credential = viewable_credential(user, public_id)
    if not is_issuer_staff(user, credential.issuer):
        raise PermissionDenied(f"Only {credential.issuer}'s programme admins and ratifiers can change its credentials.")
    return credential


def issuer_for_staff(user: Any, slug: str) -> Issuer:
    """The issuer, for its own programme admins and ratifiers; others learn nothing of its staff pages."""
    issuer = Issuer.objects.select_related("organisation").filter(organisation__slug=slug).first()
    if issuer is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such issuer.")
    if not is_issuer_staff(user, issuer):
        raise PermissionDenied(f"Only {issuer}'s programme admins and ratifiers manage its credentials.")
    return issuer


def credential_of_issuer(issuer: Issuer, public_id: str) -> Credential:
    """One of the issuer's credentials, for a staff page already checked with ``issuer_for_staff``."""
    credential = (
        Credential.objects.select_related("learner", "attainment__achievement", "replaced_by", "signing_key")
        .filter(issuer=issuer, public_id=public_id)
        .first()
    )
    if credential is None:
        raise Http404("No such credential.")
    return credential


def award_batch_of_issuer(issuer: Issuer, batch_id: int) -> AwardBatch:
    batch = AwardBatch.objects.filter(issuer=issuer, pk=batch_id).select_related("uploaded_by").first()
    if batch is None:
        raise Http404("No such upload.")
    return batch


def attainment_of_issuer(issuer: Issuer, attainment_id: int) -> Attainment:
    """An award of one of the issuer's achievements, for its staff (another issuer's is not found)."""
    attainment = (
        Attainment.objects.filter(achievement__issuer=issuer, pk=attainment_id)
        .select_related("learner", "achievement")
        .first()
    )
    if attainment is None:
        raise Http404("No such award.")
    return attainment


def public_achievement(public_id: str) -> Achievement:
    """An achievement's page and badge: public, since every credential for it links there."""
    achievement = Achievement.objects.select_related("issuer__organisation").filter(public_id=public_id).first()
    if achievement is None:
        raise Http404("No such achievement.")
    return achievement


def learner_credentials(user: Any) -> QuerySet[Credential]:
    """The signed-in person's own credentials, newest first; nothing for anyone signed out."""
    if not getattr(user, "is_authenticated", False):
        return Credential.objects.none()
    return (
        Credential.objects.filter(learner=user)
        .select_related("issuer__organisation", "attainment__achievement", "replaced_by")
        .order_by("-issued_at", "-pk")
    )


def credential_for_learner(user: Any, public_id: str) -> Credential:
    """A credential whose sharing only its learner decides: issuer staff may look but not change it (403);
    to anyone else it does not exist (404), public or not."""
    credential = (
        Credential.objects.select_related("issuer__organisation", "learner", "attainment__achievement")
        .filter(public_id=public_id)
        .first()
    )
    if credential is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such credential.")
    if user == credential.learner:
        return credential
    if is_issuer_staff(user, credential.issuer):
        raise PermissionDenied("Only the learner decides whether their credential is public.")
    raise Http404("No such credential.")


def achievement_of_issuer(issuer: Issuer, public_id: str) -> Achievement:
    """One of the issuer's achievements, for a staff page already checked with ``issuer_for_staff``."""
    achievement = Achievement.objects.filter(issuer=issuer, public_id=public_id).first()
    if achievement is None:
        raise Http404("No such achievement.")
    return achievement


def organisation_to_set_up_issuing(user: Any, slug: str) -> Organisation:
    """An issuing organisation without an issuer profile yet, for one of its programme admins to set up."""
    organisation = access_organisation(user, slug, roles=[Role.PROGRAMME_ADMIN])
    if organisation.kind not in ISSUING_KINDS:
        raise PermissionDenied(f"{organisation} is a {organisation.get_kind_display().lower()}: it does not issue.")
    if Issuer.objects.filter(organisation=organisation).exists():
        raise PermissionDenied(f"{organisation} already has an issuer profile.")
    return organisation


def may_set_up_issuing(user: Any, slug: str) -> bool:
    try:
        organisation_to_set_up_issuing(user, slug)
    except (Http404, PermissionDenied):
        return False
    return True
