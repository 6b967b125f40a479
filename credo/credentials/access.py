"""Permission-checked loaders for credentials.

Public documents (DID documents, status lists, a credential the learner
has made public) need no sign-in. Changing anything is for the issuer's
programme admins and ratifiers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import organisations_where
from credo.accounts.models import Role
from credo.credentials.models import Credential, Issuer, StatusList

ISSUER_STAFF = [Role.PROGRAMME_ADMIN, Role.RATIFIER]


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


def credential_for_issuer_staff(user: Any, public_id: str) -> Credential:
    credential = viewable_credential(user, public_id)
    if not is_issuer_staff(user, credential.issuer):
        raise PermissionDenied(f"Only {credential.issuer}'s programme admins and ratifiers can change its credentials.")
    return credential
