"""Replacing a draft's portfolio template in one call."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Status as Reply
from ninja.security import django_auth

from credo.catalogue import access, services
from credo.catalogue.api.router import router
from credo.catalogue.api.schemas import (
    Message,
    Problems,
    QualificationDetail,
    TemplateIn,
)
from credo.catalogue.api.serialisers import (
    qualification_detail,
)
from credo.catalogue.models import (
    PortfolioTemplate,
)
from credo.catalogue.services import RequirementSpec, SectionSpec

# Portfolio templates


@router.put(
    "/qualifications/{slug}/versions/{version}/template",
    auth=django_auth,
    response={
        200: QualificationDetail,
        201: QualificationDetail,
        401: Message,
        403: Message,
        404: Message,
        422: Problems,
    },
    summary="Replace a draft's portfolio template: its introduction, and its sections in order with their evidence",
)
def replace_template(request: HttpRequest, slug: str, version: int, payload: TemplateIn) -> Reply[QualificationDetail]:
    """All or nothing: if anything is wrong, every problem is listed and nothing changes.

    201 when the draft had no template before, 200 when its template was replaced.
    """
    q = access.access_qualification_for_edit(request.user, slug, version)
    existed = PortfolioTemplate.objects.filter(qualification=q).exists()
    services.replace_portfolio_template(
        actor=request.user,
        qualification=q,
        introduction=payload.introduction,
        sections=[
            SectionSpec(
                title=s.title,
                guidance=s.guidance,
                min_words=s.min_words,
                max_words=s.max_words,
                is_sample=s.sample,
                requirements=tuple(
                    RequirementSpec(
                        kind=r.kind,
                        description=r.description,
                        min_count=r.min_count,
                        attestor_relationship=r.attestor_relationship,
                    )
                    for r in s.requirements
                ),
            )
            for s in payload.sections
        ],
    )
    return Reply(200 if existed else 201, qualification_detail(q.pk))
