"""Changing drafts and units: programme admins of the owner, signed in, with a CSRF token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status as Reply
from ninja.security import django_auth

from credo.catalogue import access, services
from credo.catalogue.api.router import router
from credo.catalogue.api.schemas import (
    CompetencyIn,
    Message,
    OutcomeIn,
    Problems,
    QualificationDetail,
    QualificationIn,
    QualificationPatch,
    RuleGroupIn,
    UnitCode,
    UnitDetail,
    UnitIn,
    UnitPatch,
    WithdrawIn,
)
from credo.catalogue.api.serialisers import (
    framework_of,
    level_of,
    qualification_detail,
    unit_detail,
)
from credo.catalogue.models import (
    RuleGroup,
    Unit,
)
from credo.catalogue.services import CriterionSpec, OutcomeSpec

# Editing (programme admins of the owner; session authentication with CSRF) -----------------------


@router.post(
    "/qualifications",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 422: Problems},
    summary="Create a draft qualification",
)
def create_qualification(request: HttpRequest, payload: QualificationIn) -> Reply[QualificationDetail]:
    owner = access.access_owner_for_edit(request.user, payload.owner)
    framework = framework_of(payload.framework)
    fields = payload.dict(exclude={"owner", "framework", "level", "code"})
    if problem := framework.qualification_code_problem(payload.code):
        raise ValidationError({"code": problem})
    q = services.create_qualification(
        actor=request.user,
        owner=owner,
        code=payload.code,
        framework=framework,
        level=level_of(framework, payload.level),
        **fields,
    )
    return Reply(201, qualification_detail(q.pk))


@router.patch(
    "/qualifications/{slug}/versions/{version}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Change a draft's details",
)
def update_qualification(
    request: HttpRequest, slug: str, version: int, payload: QualificationPatch
) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "level" in changes:
        changes["level"] = level_of(q.framework, changes["level"])
    services.update_qualification(actor=request.user, qualification=q, **changes)
    return qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/rules",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Add a rule group to a draft",
)
def add_rule_group(request: HttpRequest, slug: str, version: int, payload: RuleGroupIn) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.add_rule_group(actor=request.user, qualification=q, **payload.dict())
    return Reply(201, qualification_detail(q.pk))


@router.post(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}/units",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Add a unit to a rule group of a draft",
)
def add_unit(
    request: HttpRequest, slug: str, version: int, group_id: int, payload: UnitCode
) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    unit = access.visible_units(request.user).filter(code=payload.unit_code.strip().upper()).first()
    if unit is None:
        raise ValidationError({"unit_code": f"No unit {payload.unit_code} in the catalogue that you can use."})
    services.add_unit_to_group(actor=request.user, group=group, unit=unit)
    return Reply(201, qualification_detail(q.pk))


@router.delete(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}/units/{unit_slug}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Take a unit out of a rule group of a draft",
)
def remove_unit(request: HttpRequest, slug: str, version: int, group_id: int, unit_slug: str) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    unit = get_object_or_404(Unit, slug=unit_slug)
    services.remove_unit_from_group(actor=request.user, group=group, unit=unit)
    return qualification_detail(q.pk)


@router.delete(
    "/qualifications/{slug}/versions/{version}/rules/{group_id}",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Remove a rule group from a draft",
)
def remove_rule_group(request: HttpRequest, slug: str, version: int, group_id: int) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    group = get_object_or_404(RuleGroup, pk=group_id, qualification=q)
    services.remove_rule_group(actor=request.user, group=group)
    return qualification_detail(q.pk)


@router.put(
    "/qualifications/{slug}/versions/{version}/competencies",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Replace a draft's competencies, numbered in the order given",
)
def set_competencies(request: HttpRequest, slug: str, version: int, payload: list[CompetencyIn]) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.set_competencies(
        actor=request.user, qualification=q, competencies=[(c.title, c.description) for c in payload]
    )
    return qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/publish",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Publish a draft: it goes live and supersedes the previous live version",
)
def publish(request: HttpRequest, slug: str, version: int) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.publish_qualification(actor=request.user, qualification=q)
    return qualification_detail(q.pk)


@router.post(
    "/qualifications/{slug}/versions/{version}/new-version",
    auth=django_auth,
    response={201: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Start a new draft version from a published one",
)
def new_version(request: HttpRequest, slug: str, version: int) -> Reply[QualificationDetail]:
    q = access.access_qualification_for_edit(request.user, slug, version)
    draft = services.start_new_version(actor=request.user, qualification=q)
    return Reply(201, qualification_detail(draft.pk))


@router.post(
    "/qualifications/{slug}/versions/{version}/withdraw",
    auth=django_auth,
    response={200: QualificationDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Withdraw a live qualification, with a reason",
)
def withdraw(request: HttpRequest, slug: str, version: int, payload: WithdrawIn) -> QualificationDetail:
    q = access.access_qualification_for_edit(request.user, slug, version)
    services.withdraw_qualification(actor=request.user, qualification=q, reason=payload.reason)
    return qualification_detail(q.pk)


@router.post(
    "/units",
    auth=django_auth,
    response={201: UnitDetail, 401: Message, 403: Message, 422: Problems},
    summary="Create a unit",
)
def create_unit(request: HttpRequest, payload: UnitIn) -> Reply[UnitDetail]:
    owner = access.access_owner_for_edit(request.user, payload.owner)
    framework = framework_of(payload.framework)
    unit = services.create_unit(
        actor=request.user,
        owner=owner,
        code=payload.code,
        title=payload.title,
        framework=framework,
        level=level_of(framework, payload.level),
        credits=payload.credits,
        guided_learning_hours=payload.guided_learning_hours,
    )
    return Reply(201, unit_detail(unit))


@router.patch(
    "/units/{slug}",
    auth=django_auth,
    response={200: UnitDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Change a unit's details (refused once a published qualification uses it)",
)
def update_unit(request: HttpRequest, slug: str, payload: UnitPatch) -> UnitDetail:
    unit = access.access_unit_for_edit(request.user, slug)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "level" in changes:
        changes["level"] = level_of(unit.framework, changes["level"])
    return unit_detail(services.update_unit(actor=request.user, unit=unit, **changes))


@router.put(
    "/units/{slug}/outcomes",
    auth=django_auth,
    response={200: UnitDetail, 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="Replace a unit's learning outcomes and assessment criteria",
)
def set_outcomes(request: HttpRequest, slug: str, payload: list[OutcomeIn]) -> UnitDetail:
    unit = access.access_unit_for_edit(request.user, slug)
    outcomes = [
        OutcomeSpec(o.number, o.text, o.sample, tuple(CriterionSpec(c.number, c.text, c.sample) for c in o.criteria))
        for o in payload
    ]
    services.set_unit_outcomes(actor=request.user, unit=unit, outcomes=outcomes)
    return unit_detail(unit)
