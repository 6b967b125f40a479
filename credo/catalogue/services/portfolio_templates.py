"""Portfolio templates of drafts: sections in order, with the evidence each needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from credo.catalogue.models import (
    EvidenceKind,
    EvidenceRequirement,
    PortfolioTemplate,
    Qualification,
    TemplateSection,
)
from credo.catalogue.services.common import (
    audit,
    require_draft,
)

# Portfolio templates ----------------------------------------------------------------------------

SECTION_TITLE_MAX = 200  # TemplateSection.title
REQUIREMENT_DESCRIPTION_MAX = 300  # EvidenceRequirement.description
ATTESTOR_MAX = 200  # EvidenceRequirement.attestor_relationship
WORDS_MAX = 2_147_483_647  # what a PositiveIntegerField holds
EVIDENCE_COUNT_MAX = 32_767  # what a PositiveSmallIntegerField holds
SECTION_GONE = "That section is no longer in the template: reload the page to see the template as it is now."
REQUIREMENT_GONE = "That evidence requirement is no longer in the template: reload the page to see it as it is now."


@dataclass(frozen=True)
class RequirementSpec:
    kind: str
    description: str
    min_count: int = 1
    attestor_relationship: str = ""


@dataclass(frozen=True)
class SectionSpec:
    title: str
    guidance: str = ""
    min_words: int | None = None
    max_words: int | None = None
    is_sample: bool = False
    requirements: tuple[RequirementSpec, ...] = field(default_factory=tuple)


def section_problems(*, title: str, min_words: int | None, max_words: int | None) -> list[str]:
    """What is wrong with a section's title and suggested length; empty when it may be saved."""
    problems: list[str] = []
    title = title.strip()
    if not title:
        problems.append("Give the section a title.")
    elif len(title) > SECTION_TITLE_MAX:
        problems.append(f"Shorten the section title to {SECTION_TITLE_MAX} characters or fewer (it has {len(title)}).")
    for name, words in (("minimum", min_words), ("maximum", max_words)):
        if words is not None and not 1 <= words <= WORDS_MAX:
            problems.append(
                f"The suggested {name} length is {words} words: leave it blank, or give a whole number of words "
                f"from 1 to {WORDS_MAX:,}."
            )
    if min_words is not None and max_words is not None and min_words > max_words:
        problems.append(
            f"The suggested length runs from {min_words:,} down to {max_words:,} words: "
            "make the minimum no more than the maximum."
        )
    return problems


def requirement_problems(*, kind: str, description: str, min_count: int, attestor_relationship: str) -> list[str]:
    """What is wrong with one evidence requirement; empty when it may be saved."""
    problems: list[str] = []
    if kind not in EvidenceKind.values:
        problems.append(f"“{kind}” is not a kind of evidence: choose one of {', '.join(EvidenceKind.values)}.")
    description = description.strip()
    if not description:
        problems.append("Describe the evidence the learner must give.")
    elif len(description) > REQUIREMENT_DESCRIPTION_MAX:
        problems.append(
            f"Shorten the description to {REQUIREMENT_DESCRIPTION_MAX} characters or fewer (it has {len(description)})."
        )
    if not 1 <= min_count <= EVIDENCE_COUNT_MAX:
        problems.append(
            f"The evidence is asked for {min_count} times: ask for it at least once "
            f"(and at most {EVIDENCE_COUNT_MAX:,} times)."
        )
    relationship = attestor_relationship.strip()
    if kind == EvidenceKind.ATTESTATION and not relationship:
        problems.append("An attestation is written by someone: say who attests, e.g. “a participant”.")
    elif kind in EvidenceKind.values and kind != EvidenceKind.ATTESTATION and relationship:
        problems.append(
            f"Only an attestation names who attests: clear “{relationship}”, "
            f"or make this evidence an attestation rather than {EvidenceKind(kind).label.lower()}."
        )
    elif len(relationship) > ATTESTOR_MAX:
        problems.append(f"Shorten who attests to {ATTESTOR_MAX} characters or fewer (it has {len(relationship)}).")
    return problems


def portfolio_template_problems(sections: Sequence[SectionSpec]) -> list[str]:
    """Every problem in a whole template, each saying which section (and which evidence) it is in."""
    problems: list[str] = []
    for number, section in enumerate(sections, start=1):
        where = f"Section {number}"
        problems.extend(
            f"{where}: {problem}"
            for problem in section_problems(
                title=section.title, min_words=section.min_words, max_words=section.max_words
            )
        )
        for index, requirement in enumerate(section.requirements, start=1):
            problems.extend(
                f"{where}, evidence {index}: {problem}"
                for problem in requirement_problems(
                    kind=requirement.kind,
                    description=requirement.description,
                    min_count=requirement.min_count,
                    attestor_relationship=requirement.attestor_relationship,
                )
            )
    return problems


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


def _lock_draft(qualification_id: int) -> Qualification:
    qualification = Qualification.objects.select_for_update().get(pk=qualification_id)
    require_draft(qualification)
    return qualification


def _lock_section(section: TemplateSection) -> tuple[Qualification, TemplateSection]:
    """Lock the section's qualification (which must be a draft), then read the section as it is now."""
    qualification_id = (
        TemplateSection.objects.filter(pk=section.pk).values_list("template__qualification_id", flat=True).first()
    )
    if qualification_id is None:
        raise ValidationError(SECTION_GONE)
    qualification = _lock_draft(qualification_id)
    current = TemplateSection.objects.filter(pk=section.pk).first()
    if current is None:
        raise ValidationError(SECTION_GONE)
    return qualification, current


def _number_sections(template_id: int) -> None:
    """Number a template's sections 1..n in their order.

    One row at a time from the top: each section only ever moves down to a number that the ones before
    it have just left, so the unique (template, position) constraint never sees two sections share one.
    """
    for number, section in enumerate(TemplateSection.objects.filter(template_id=template_id).order_by("position"), 1):
        if section.position != number:
            section.position = number
            section.save(update_fields=["position"])


def _number_requirements(section_id: int) -> None:
    for number, requirement in enumerate(
        EvidenceRequirement.objects.filter(section_id=section_id).order_by("position", "id"), 1
    ):
        if requirement.position != number:
            requirement.position = number
            requirement.save(update_fields=["position"])


@transaction.atomic
def set_template_introduction(*, actor: Any, qualification: Qualification, introduction: str) -> PortfolioTemplate:
    """Set what the portfolio is for and how to approach it (the template is created if there is none)."""
    qualification = _lock_draft(qualification.pk)
    template, created = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    template.introduction = introduction.strip()
    template.save(update_fields=["introduction"])
    audit(
        actor,
        "catalogue.template_introduction_set",
        qualification,
        qualification.owner,
        template_created=created,
        characters=len(template.introduction),
    )
    return template


@transaction.atomic
def add_template_section(
    *,
    actor: Any,
    qualification: Qualification,
    title: str,
    guidance: str = "",
    min_words: int | None = None,
    max_words: int | None = None,
) -> TemplateSection:
    """Append a section to a draft's portfolio template (created if there is none)."""
    qualification = _lock_draft(qualification.pk)
    _refuse(section_problems(title=title, min_words=min_words, max_words=max_words))
    template, _ = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    position = (template.sections.aggregate(p=Max("position"))["p"] or 0) + 1
    section = TemplateSection.objects.create(
        template=template,
        position=position,
        title=title.strip(),
        guidance=guidance.strip(),
        min_words=min_words,
        max_words=max_words,
    )
    audit(
        actor,
        "catalogue.template_section_added",
        qualification,
        qualification.owner,
        position=position,
        title=section.title,
    )
    return section


@transaction.atomic
def update_template_section(
    *,
    actor: Any,
    section: TemplateSection,
    title: str,
    guidance: str,
    min_words: int | None,
    max_words: int | None,
) -> TemplateSection:
    qualification, section = _lock_section(section)
    _refuse(section_problems(title=title, min_words=min_words, max_words=max_words))
    changes = {"title": title.strip(), "guidance": guidance.strip(), "min_words": min_words, "max_words": max_words}
    changed = sorted(name for name, value in changes.items() if getattr(section, name) != value)
    for name, value in changes.items():
        setattr(section, name, value)
    section.save(update_fields=list(changes))
    audit(
        actor,
        "catalogue.template_section_updated",
        qualification,
        qualification.owner,
        position=section.position,
        title=section.title,
        fields=changed,
    )
    return section


@transaction.atomic
def remove_template_section(*, actor: Any, section: TemplateSection) -> None:
    """Remove a section and its evidence requirements; the sections after it move up one place."""
    qualification, section = _lock_section(section)
    position, title, template_id = section.position, section.title, section.template_id
    section.delete()
    _number_sections(template_id)
    audit(
        actor,
        "catalogue.template_section_removed",
        qualification,
        qualification.owner,
        position=position,
        title=title,
    )


@transaction.atomic
def move_template_section(*, actor: Any, section: TemplateSection, direction: Literal["up", "down"]) -> TemplateSection:
    """Swap a section with the one before it ("up") or after it ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(f"A section moves “up” or “down”, not “{direction}”.")
    qualification, section = _lock_section(section)
    siblings = TemplateSection.objects.filter(template_id=section.template_id)
    if direction == "up":
        neighbour = siblings.filter(position__lt=section.position).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=section.position).order_by("position").first()
    if neighbour is None:
        end = "first" if direction == "up" else "last"
        raise ValidationError(
            f"Section {section.position} (“{section.title}”) is already the {end} section: it cannot move {direction}."
        )
    here, there = section.position, neighbour.position
    # Park the section past the end first, so the two never hold the same position at once.
    section.position = (siblings.aggregate(p=Max("position"))["p"] or 0) + 1
    section.save(update_fields=["position"])
    neighbour.position = here
    neighbour.save(update_fields=["position"])
    section.position = there
    section.save(update_fields=["position"])
    audit(
        actor,
        "catalogue.template_section_moved",
        qualification,
        qualification.owner,
        title=section.title,
        from_position=here,
        to_position=there,
    )
    return section


@transaction.atomic
def add_evidence_requirement(
    *,
    actor: Any,
    section: TemplateSection,
    kind: str,
    description: str,
    min_count: int = 1,
    attestor_relationship: str = "",
) -> EvidenceRequirement:
    """Ask for a piece of evidence in a section (added after the section's other requirements)."""
    qualification, section = _lock_section(section)
    _refuse(
        requirement_problems(
            kind=kind, description=description, min_count=min_count, attestor_relationship=attestor_relationship
        )
    )
    position = (section.requirements.aggregate(p=Max("position"))["p"] or 0) + 1
    requirement = EvidenceRequirement.objects.create(
        section=section,
        position=position,
        kind=kind,
        description=description.strip(),
        min_count=min_count,
        attestor_relationship=attestor_relationship.strip(),
    )
    audit(
        actor,
        "catalogue.template_requirement_added",
        qualification,
        qualification.owner,
        section=section.position,
        kind=kind,
        description=requirement.description,
    )
    return requirement


@transaction.atomic
def remove_evidence_requirement(*, actor: Any, requirement: EvidenceRequirement) -> None:
    qualification_id = (
        EvidenceRequirement.objects.filter(pk=requirement.pk)
        .values_list("section__template__qualification_id", flat=True)
        .first()
    )
    if qualification_id is None:
        raise ValidationError(REQUIREMENT_GONE)
    qualification = _lock_draft(qualification_id)
    current = EvidenceRequirement.objects.select_related("section").filter(pk=requirement.pk).first()
    if current is None:
        raise ValidationError(REQUIREMENT_GONE)
    section = current.section
    kind, description = current.kind, current.description
    current.delete()
    _number_requirements(section.pk)
    audit(
        actor,
        "catalogue.template_requirement_removed",
        qualification,
        qualification.owner,
        section=section.position,
        kind=kind,
        description=description,
    )


@transaction.atomic
def replace_portfolio_template(
    *, actor: Any, qualification: Qualification, introduction: str, sections: Sequence[SectionSpec]
) -> PortfolioTemplate:
    """Replace a draft's whole template, in the order given. All or nothing: every problem is listed first."""
    qualification = _lock_draft(qualification.pk)
    _refuse(portfolio_template_problems(sections))
    template, _ = PortfolioTemplate.objects.get_or_create(qualification=qualification)
    template.introduction = introduction.strip()
    template.save(update_fields=["introduction"])
    template.sections.all().delete()
    for position, spec in enumerate(sections, start=1):
        section = TemplateSection.objects.create(
            template=template,
            position=position,
            title=spec.title.strip(),
            guidance=spec.guidance.strip(),
            min_words=spec.min_words,
            max_words=spec.max_words,
            is_sample=spec.is_sample,
        )
        EvidenceRequirement.objects.bulk_create(
            EvidenceRequirement(
                section=section,
                position=index,
                kind=r.kind,
                description=r.description.strip(),
                min_count=r.min_count,
                attestor_relationship=r.attestor_relationship.strip(),
            )
            for index, r in enumerate(spec.requirements, start=1)
        )
    audit(
        actor,
        "catalogue.template_replaced",
        qualification,
        qualification.owner,
        sections=len(sections),
        requirements=sum(len(s.requirements) for s in sections),
    )
    return template
