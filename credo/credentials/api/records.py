"""Achievements, attainments and credentials: reading them, direct award, revocation and sharing.

Achievements are public. Attainments and the list of credentials need a signed-in
session: a learner sees their own, an issuer's programme admins and ratifiers see
the issuer's. One credential is shown to anyone when its learner has made it public.
Changes go through the same services as the pages and check the same roles.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query
from ninja import Status as Reply
from ninja.security import django_auth

from credo.accounts.access import organisations_where
from credo.credentials import access
from credo.credentials.api.router import router
from credo.credentials.api.schemas import (
    AchievementDetail,
    AchievementFilters,
    AchievementSummary,
    AttainmentFilters,
    AttainmentOut,
    AwardIn,
    ComponentOut,
    CredentialDetail,
    CredentialFilters,
    CredentialSummary,
    Message,
    PersonOut,
    Problems,
    ReasonIn,
    RowId,
    SharingIn,
)
from credo.credentials.models import Achievement, Attainment, Credential
from credo.credentials.services import issuance, sharing, status
from credo.credentials.services.achievements import as_ob3
from credo.credentials.services.awards import award_directly
from credo.credentials.services.issuance import issuer_profile

_ISSUER = "issuer__organisation"

# Loaders: what the caller may see ------------------------------------------------------------------


def _visible_attainments(user: Any) -> QuerySet[Attainment]:
    """The learner's own attainments and those of every issuer the user is staff of."""
    issuers = organisations_where(user, access.ISSUER_STAFF)
    return (
        Attainment.objects.filter(Q(learner=user) | Q(achievement__issuer__organisation__in=issuers))
        .select_related("learner", "decided_by", f"achievement__{_ISSUER}")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=Attainment.objects.select_related(f"achievement__{_ISSUER}").order_by("achievement__code"),
            ),
            Prefetch("credentials", queryset=Credential.objects.filter(superseded_at__isnull=True), to_attr="current"),
        )
    )


def _visible_credentials(user: Any) -> QuerySet[Credential]:
    """The learner's own credentials and those of every issuer the user is staff of (public or not)."""
    issuers = organisations_where(user, access.ISSUER_STAFF)
    return Credential.objects.filter(Q(learner=user) | Q(issuer__organisation__in=issuers)).select_related(
        "learner", _ISSUER, f"attainment__achievement__{_ISSUER}", "replaced_by"
    )


def _shows_learner(user: Any, credential: Credential) -> bool:
    """Whose credential it is is for the learner and the issuer; a public page shows only what was signed."""
    return bool(user == credential.learner or access.is_issuer_staff(user, credential.issuer))


def _credential_detail(user: Any, public_id: UUID | str) -> CredentialDetail:
    credential = access.viewable_credential(user, str(public_id))
    return CredentialDetail.of(credential, show_learner=_shows_learner(user, credential))


def _attainment_out(attainment: Attainment) -> AttainmentOut:
    current = getattr(attainment, "current", None)
    if current is None:  # not loaded through _visible_attainments
        current = list(attainment.credentials.filter(superseded_at__isnull=True))
    return AttainmentOut(
        id=attainment.pk,
        learner=PersonOut(email=attainment.learner.email, full_name=attainment.learner.full_name),
        achievement=AchievementSummary.of(attainment.achievement),
        route=attainment.route,
        route_label=attainment.get_route_display(),
        attained_on=attainment.attained_on,
        decided_by=str(attainment.decided_by) if attainment.decided_by else None,
        note=attainment.note,
        created_at=attainment.created_at,
        components=[ComponentOut.of(part) for part in attainment.components.all()],
        credential=current[0].public_id if current else None,
    )


# Achievements (public) -----------------------------------------------------------------------------


@router.get(
    "/achievements",
    response={200: list[AchievementSummary], 422: Problems},
    summary="List the achievements issuers award",
)
def list_achievements(request: HttpRequest, filters: Query[AchievementFilters]) -> list[AchievementSummary]:
    achievements = Achievement.objects.select_related(_ISSUER).order_by("issuer__name", "kind", "code", "pk")
    if filters.issuer:
        achievements = achievements.filter(issuer__organisation__slug=filters.issuer)
    if filters.kind:
        achievements = achievements.filter(kind=filters.kind)
    return [AchievementSummary.of(a) for a in achievements[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/achievements/{public_id}",
    response={200: AchievementDetail, 404: Message, 422: Problems},
    summary="One achievement, with the OB 3.0 Achievement its credentials embed",
)
def get_achievement(request: HttpRequest, public_id: UUID) -> AchievementDetail:
    achievement = access.public_achievement(str(public_id))
    return AchievementDetail(
        **AchievementSummary.of(achievement).dict(),
        description=achievement.description,
        criteria_narrative=achievement.criteria_narrative,
        code_type=achievement.code_type,
        framework=achievement.framework_name,
        framework_code=achievement.framework_code,
        level_name=achievement.level_name,
        valid_for_days=achievement.valid_for_days,
        ob3=as_ob3(achievement, issuer_profile(achievement.issuer, achievement.issuer.did)).as_json(),
    )


# Attainments (the learner's own; an issuer's for its staff) ----------------------------------------


@router.get(
    "/attainments",
    auth=django_auth,
    response={200: list[AttainmentOut], 401: Message, 422: Problems},
    summary="List attainments: your own, and your issuer's if you are its staff",
)
def list_attainments(request: HttpRequest, filters: Query[AttainmentFilters]) -> list[AttainmentOut]:
    attainments = _visible_attainments(request.user).order_by("-attained_on", "-pk")
    if filters.learner:
        attainments = attainments.filter(learner__email__iexact=filters.learner.strip())
    if filters.achievement:
        attainments = attainments.filter(achievement__public_id=filters.achievement)
    return [_attainment_out(a) for a in attainments[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/attainments/{attainment_id}",
    auth=django_auth,
    response={200: AttainmentOut, 401: Message, 404: Message, 422: Problems},
    summary="One attainment: how and when it was earned, and for a qualification the units it rests on",
)
def get_attainment(request: HttpRequest, attainment_id: Path[RowId]) -> AttainmentOut:
    attainment = _visible_attainments(request.user).filter(pk=attainment_id).first()
    if attainment is None:
        raise Http404("No such attainment.")  # someone else's is not revealed
    return _attainment_out(attainment)


@router.post(
    "/attainments",
    auth=django_auth,
    response={201: AttainmentOut, 401: Message, 403: Message, 422: Problems},
    summary="Award an achievement directly to one person (the issuer's staff); the credential follows",
)
def award(request: HttpRequest, payload: AwardIn) -> Reply[AttainmentOut]:
    """Someone without an account is invited to claim it; the credential is issued once the award commits."""
    achievement = Achievement.objects.select_related(_ISSUER).filter(public_id=payload.achievement).first()
    if achievement is None:
        raise ValidationError({"achievement": f"No achievement {payload.achievement}; list them at /achievements."})
    attainment = award_directly(
        actor=request.user,
        achievement=achievement,
        email=payload.email,
        full_name=payload.full_name,
        attained_on=payload.attained_on,
        route=payload.route,
        note=payload.note,
    )
    return Reply(201, _attainment_out(_visible_attainments(request.user).get(pk=attainment.pk)))


# Credentials ---------------------------------------------------------------------------------------


@router.get(
    "/credentials",
    auth=django_auth,
    response={200: list[CredentialSummary], 401: Message, 422: Problems},
    summary="List credentials: your own, and your issuer's if you are its staff",
)
def list_credentials(request: HttpRequest, filters: Query[CredentialFilters]) -> list[CredentialSummary]:
    credentials = _visible_credentials(request.user).order_by("-issued_at", "-pk")
    if filters.state:
        credentials = credentials.filter(state=filters.state)
    if filters.kind:
        credentials = credentials.filter(kind=filters.kind)
    if filters.learner:
        credentials = credentials.filter(learner__email__iexact=filters.learner.strip())
    # Every credential listed is the caller's own or their issuer's, so its learner may be shown.
    return [
        CredentialSummary.of(c, show_learner=True) for c in credentials[filters.offset : filters.offset + filters.limit]
    ]


@router.get(
    "/credentials/{public_id}",
    response={200: CredentialDetail, 404: Message, 422: Problems},
    summary="One credential: its state and the signed credential as issued",
)
def get_credential(request: HttpRequest, public_id: UUID) -> CredentialDetail:
    """Anyone may read a public credential; a private one only its learner and the issuer's staff."""
    return _credential_detail(request.user, public_id)


@router.patch(
    "/credentials/{public_id}",
    auth=django_auth,
    response={200: CredentialDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Make your credential's page public or private (its learner only)",
)
def share_credential(request: HttpRequest, public_id: UUID, payload: SharingIn) -> CredentialDetail:
    credential = access.credential_for_learner(request.user, str(public_id))
    sharing.set_public(credential, actor=request.user, is_public=payload.is_public)
    return _credential_detail(request.user, public_id)


def _change_state(request: HttpRequest, public_id: UUID, payload: ReasonIn, change: Any) -> CredentialDetail:
    credential = access.credential_for_issuer_staff(request.user, str(public_id))
    change(credential, actor=request.user, reason=payload.reason)
    return _credential_detail(request.user, public_id)


_STAFF_WRITE: dict[int, Any] = {200: CredentialDetail, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.post(
    "/credentials/{public_id}/revoke",
    auth=django_auth,
    response=_STAFF_WRITE,
    summary="Revoke a credential for good, with a reason (the issuer's staff)",
)
def revoke_credential(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> CredentialDetail:
    return _change_state(request, public_id, payload, status.revoke)


@router.post(
    "/credentials/{public_id}/suspend",
    auth=django_auth,
    response=_STAFF_WRITE,
    summary="Suspend an active credential, with a reason (the issuer's staff)",
)
def suspend_credential(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> CredentialDetail:
    return _change_state(request, public_id, payload, status.suspend)


@router.post(
    "/credentials/{public_id}/reinstate",
    auth=django_auth,
    response=_STAFF_WRITE,
    summary="Lift a suspension, with a reason (the issuer's staff)",
)
def reinstate_credential(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> CredentialDetail:
    return _change_state(request, public_id, payload, status.reinstate)


@router.post(
    "/credentials/{public_id}/reissue",
    auth=django_auth,
    response={201: CredentialDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Replace a credential after a correction: the old one is revoked, a new one issued (the issuer's staff)",
)
def reissue_credential(request: HttpRequest, public_id: UUID, payload: ReasonIn) -> Reply[CredentialDetail]:
    credential = access.credential_for_issuer_staff(request.user, str(public_id))
    new = issuance.reissue(credential, actor=request.user, reason=payload.reason)
    return Reply(201, _credential_detail(request.user, new.public_id))
