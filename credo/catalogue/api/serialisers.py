"""Catalogue rows as API schemas, and the lookups the endpoints share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from credo.catalogue.api.schemas import (
    CompetencyOut,
    CriterionOut,
    GroupProgressOut,
    OutcomeOut,
    ProgressOut,
    QualificationDetail,
    QualificationSummary,
    RequirementOut,
    RuleGroupOut,
    SectionOut,
    TemplateOut,
    UnitDetail,
    UnitSummary,
)
from credo.catalogue.models import (
    Framework,
    Level,
    Qualification,
    TemplateSection,
    Unit,
)
from credo.catalogue.progression import QualificationProgress

# Serialisers --------------------------------------------------------------------------------------


def unit_summary(unit: Unit) -> UnitSummary:
    return UnitSummary(
        code=unit.code,
        slug=unit.slug,
        title=unit.title,
        level=unit.level.number,
        credits=unit.credits,
        guided_learning_hours=unit.guided_learning_hours,
    )


def qualification_detail(pk: int) -> QualificationDetail:
    q = (
        Qualification.objects.with_structure()
        .prefetch_related(
            "competencies",
            Prefetch("portfolio_template__sections", queryset=TemplateSection.objects.prefetch_related("requirements")),
        )
        .get(pk=pk)
    )
    template = getattr(q, "portfolio_template", None)
    return QualificationDetail(
        **QualificationSummary.of(q).dict(),
        summary=q.summary,
        level_note=q.level_note,
        guided_learning_hours=q.guided_learning_hours,
        total_qualification_time=q.total_qualification_time,
        credits=q.credits,
        updated_at=q.updated_at,
        rules=[
            RuleGroupOut(
                id=g.pk,
                name=g.name,
                kind=g.kind,
                min_units=g.min_units,
                min_credits=g.min_credits,
                requirement=g.requirement_text(),
                units=[unit_summary(m.unit) for m in g.memberships.all()],
            )
            for g in q.rule_groups.all()
        ],
        competencies=[
            CompetencyOut(number=c.number, title=c.title, description=c.description, sample=c.is_sample)
            for c in q.competencies.all()
        ],
        portfolio_template=TemplateOut(
            introduction=template.introduction,
            sections=[
                SectionOut(
                    position=s.position,
                    title=s.title,
                    guidance=s.guidance,
                    min_words=s.min_words,
                    max_words=s.max_words,
                    sample=s.is_sample,
                    requirements=[
                        RequirementOut(
                            kind=r.kind,
                            description=r.description,
                            min_count=r.min_count,
                            attestor_relationship=r.attestor_relationship,
                        )
                        for r in s.requirements.all()
                    ],
                )
                for s in template.sections.all()
            ],
        )
        if template
        else None,
    )


def unit_detail(unit: Unit) -> UnitDetail:
    outcomes = unit.outcomes.prefetch_related("criteria")
    return UnitDetail(
        **unit_summary(unit).dict(),
        framework=unit.framework.code,
        owner=unit.owner.slug,
        outcomes=[
            OutcomeOut(
                number=o.number,
                text=o.text,
                sample=o.is_sample,
                criteria=[CriterionOut(number=c.number, text=c.text, sample=c.is_sample) for c in o.criteria.all()],
            )
            for o in outcomes
        ],
    )


def progress_out(p: QualificationProgress) -> ProgressOut:
    return ProgressOut(
        qualification=QualificationSummary.of(p.qualification),
        complete=p.complete,
        credits_achieved=p.credits_achieved,
        credits_short=p.credits_short,
        groups=[
            GroupProgressOut(
                name=g.group.name,
                satisfied=g.satisfied,
                units_short=g.units_short,
                credits_short=g.credits_short,
                achieved=[u.code for u in g.achieved],
                remaining=[u.code for u in g.remaining],
                shortfall=g.shortfall_text(),
            )
            for g in p.groups
        ],
    )


def level_of(framework: Framework, number: int) -> Level:
    level = Level.objects.filter(framework=framework, number=number).first()
    if level is None:
        raise ValidationError({"level": f"{framework} has no level {number}."})
    return level


def framework_of(code: str) -> Framework:
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        known = ", ".join(Framework.objects.values_list("code", flat=True))
        raise ValidationError({"framework": f"No framework {code!r}; known frameworks: {known}."})
    return framework
