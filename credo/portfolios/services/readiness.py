"""Whether a portfolio is ready to submit: each section's required evidence (blocks) and advice (warnings).

What the template asked for blocks a submission when it is missing: so many pieces of written text, files or
links in a section, or so many completed attestations for one of its attestation requirements. A suggested length
and criteria (or competencies) with no evidence mapped to them are warnings: the learner may have good reasons,
and the assessor judges. ``readiness_of`` answers for many portfolios at once in a fixed number of queries, so
that a staff list of a whole cohort costs the same as one portfolio.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from credo.catalogue.models import AssessmentCriterion, Competency, EvidenceKind
from credo.portfolios.models import (
    Attestation,
    AttestationState,
    CompetencyMapping,
    CriterionMapping,
    EvidenceItem,
    ItemKind,
    Portfolio,
    PortfolioSection,
)

#: How each kind of required evidence is counted in a sentence: (one, many).
KIND_WORDS: dict[str, tuple[str, str]] = {
    EvidenceKind.TEXT: ("piece of written text", "pieces of written text"),
    EvidenceKind.FILE: ("file", "files"),
    EvidenceKind.LINK: ("link", "links"),
    EvidenceKind.ATTESTATION: ("attestation", "attestations"),
}
#: The most criteria named one by one in a warning; beyond it, the rest are counted.
NAMED_MAX = 8


def _count(n: int, kind: str) -> str:
    one, many = KIND_WORDS.get(kind, ("piece of evidence", "pieces of evidence"))
    return f"{n} {one if n == 1 else many}"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED_MAX])
    return shown if len(names) <= NAMED_MAX else f"{shown} and {len(names) - NAMED_MAX} more"


@dataclass
class SectionReadiness:
    section: PortfolioSection
    words: int = 0
    evidence: int = 0
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blocks


@dataclass
class Readiness:
    """A portfolio's readiness: per section, and for the portfolio as a whole (evidence at all, competencies)."""

    portfolio_id: int
    sections: list[SectionReadiness] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blocks and all(s.ready for s in self.sections)

    @property
    def block_count(self) -> int:
        return len(self.blocks) + sum(len(s.blocks) for s in self.sections)

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + sum(len(s.warnings) for s in self.sections)

    def all_blocks(self) -> list[str]:
        """Every block as one sentence naming its section: for an error message or the API."""
        return [
            *self.blocks,
            *(f"{s.section.position}. {s.section.title}: {b}" for s in self.sections for b in s.blocks),
        ]

    def all_warnings(self) -> list[str]:
        return [
            *self.warnings,
            *(f"{s.section.position}. {s.section.title}: {w}" for s in self.sections for w in s.warnings),
        ]


@dataclass(frozen=True)
class _Criterion:
    pk: int
    unit_id: int
    label: str


def check_readiness(portfolio: Portfolio) -> Readiness:
    """One portfolio's readiness (see ``readiness_of``)."""
    return readiness_of([portfolio])[portfolio.pk]


def readiness_of(portfolios: Sequence[Portfolio]) -> dict[int, Readiness]:
    """Readiness of each portfolio, by its id, in eight queries however many portfolios, sections and items."""
    ids = [p.pk for p in portfolios]
    if not ids:
        return {}
    sections = list(
        PortfolioSection.objects.filter(portfolio_id__in=ids)
        .select_related("unit")
        .order_by("portfolio_id", "position")
    )
    counts, words = _evidence_counts(ids)
    attested = _attestation_counts(ids)
    qualification_of = dict(
        Portfolio.objects.filter(pk__in=ids).values_list("pk", "enrolment__cohort__programme__qualification_id")
    )
    criteria = _criteria_of(set(qualification_of.values()))
    competencies = _competencies_of(set(qualification_of.values()))
    mapped_criteria = _pairs(CriterionMapping.objects.filter(item__portfolio_id__in=ids), "criterion_id")
    mapped_competencies = _pairs(CompetencyMapping.objects.filter(item__portfolio_id__in=ids), "competency_id")

    result = {pk: Readiness(portfolio_id=pk) for pk in ids}
    for section in sections:
        result[section.portfolio_id].sections.append(_section_readiness(section, counts, words, attested))
    for pk, readiness in result.items():
        qualification = qualification_of[pk]
        if not any(s.evidence for s in readiness.sections):
            readiness.blocks.append("There is no evidence in the portfolio yet.")
        _warn_unmapped_criteria(readiness, criteria.get(qualification, []), mapped_criteria.get(pk, set()))
        unmapped = [label for cpk, label in competencies.get(qualification, []) if cpk not in mapped_competencies[pk]]
        if unmapped:
            readiness.warnings.append(
                f"No evidence is mapped to {len(unmapped)} competenc{'y' if len(unmapped) == 1 else 'ies'}: "
                f"{_listed(unmapped)}."
            )
    return result


def _evidence_counts(ids: list[int]) -> tuple[dict[tuple[int, str], int], dict[int, int]]:
    """Items of each kind per section, and the words of its text. Written text with no words is not evidence yet."""
    rows = (
        EvidenceItem.objects.filter(portfolio_id__in=ids)
        .filter(~Q(kind=ItemKind.TEXT) | Q(word_count__gt=0))
        .values("section_id", "kind")
        .annotate(n=Count("id"), words=Sum("word_count"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {}
    words: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[(row["section_id"], row["kind"])] = row["n"]
        if row["kind"] == ItemKind.TEXT:
            words[row["section_id"]] += row["words"] or 0
    return counts, words


def _attestation_counts(ids: list[int]) -> dict[tuple[int, int], int]:
    """Completed attestations per (section, requirement index)."""
    rows = (
        Attestation.objects.filter(request__portfolio_id__in=ids, request__state=AttestationState.COMPLETED)
        .values("request__section_id", "request__requirement")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["request__section_id"], row["request__requirement"]): row["n"] for row in rows}


def _criteria_of(qualification_ids: set[int]) -> dict[int, list[_Criterion]]:
    rows = (
        AssessmentCriterion.objects.filter(outcome__unit__group_memberships__qualification_id__in=qualification_ids)
        .values_list(
            "pk",
            "outcome__unit_id",
            "outcome__unit__code",
            "number",
            "outcome__unit__group_memberships__qualification_id",
        )
        .order_by("outcome__unit__code", "outcome__number", "number", "pk")
        .distinct()
    )
    found: dict[int, list[_Criterion]] = defaultdict(list)
    for pk, unit_id, unit_code, number, qualification_id in rows:
        found[qualification_id].append(_Criterion(pk=pk, unit_id=unit_id, label=f"{unit_code} AC{number}"))
    return found


def _competencies_of(qualification_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = Competency.objects.filter(qualification_id__in=qualification_ids).order_by("qualification_id", "number")
    for pk, qualification_id, number, title in rows.values_list("pk", "qualification_id", "number", "title"):
        found[qualification_id].append((pk, f"C{number} {title}"))
    return found


def _pairs(mappings: QuerySet[Any], target: str) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for portfolio_id, target_id in mappings.values_list("item__portfolio_id", target).distinct():
        found[portfolio_id].add(target_id)
    return found


def _section_readiness(
    section: PortfolioSection,
    counts: dict[tuple[int, str], int],
    words: dict[int, int],
    attested: dict[tuple[int, int], int],
) -> SectionReadiness:
    result = SectionReadiness(section=section, words=words.get(section.pk, 0))
    result.evidence = sum(counts.get((section.pk, kind), 0) for kind in ItemKind.values)
    # Requirements of one kind in a section share its items, in the template's order: two required texts need two.
    left = {kind: counts.get((section.pk, kind), 0) for kind in ItemKind.values}
    for index, requirement in enumerate(section.requirements or []):
        kind = str(requirement.get("kind", ""))
        needed = max(int(requirement.get("min_count") or 1), 1)
        description = str(requirement.get("description") or "").strip() or "Required evidence"
        if kind == EvidenceKind.ATTESTATION:
            have = attested.get((section.pk, index), 0)
            result.evidence += have
            if have < needed:
                result.blocks.append(f"{description}: {_count(have, kind)} received of the {needed} needed.")
            continue
        if kind not in left:
            continue  # a kind this version of credo does not know: nothing the learner could add would satisfy it
        have = left[kind]
        left[kind] = max(have - needed, 0)
        if have < needed:
            result.blocks.append(f"{description}: {_count(have, kind)} here of the {needed} needed.")
    if not result.evidence and not section.requirements:
        result.warnings.append("There is nothing in this section yet.")
    _warn_length(result)
    return result


def _warn_length(result: SectionReadiness) -> None:
    section = result.section
    if not result.words or not (section.min_words or section.max_words):
        return
    too_short = bool(section.min_words and result.words < section.min_words)
    too_long = bool(section.max_words and result.words > section.max_words)
    if too_short or too_long:
        result.warnings.append(
            f"The writing here is {result.words:,} words; the suggested length is {section.suggested_length()}."
        )


def _warn_unmapped_criteria(readiness: Readiness, criteria: list[_Criterion], mapped: set[int]) -> None:
    """Uncovered criteria under the unit's own section where there is one, otherwise for the whole portfolio."""
    by_unit = {s.section.unit_id: s for s in readiness.sections if s.section.unit_id}
    gaps: dict[int | None, list[str]] = defaultdict(list)
    for criterion in criteria:
        if criterion.pk not in mapped:
            gaps[criterion.unit_id if criterion.unit_id in by_unit else None].append(criterion.label)
    for unit_id, labels in gaps.items():
        sentence = (
            f"No evidence is mapped to {len(labels)} assessment criteri{'on' if len(labels) == 1 else 'a'}: "
            f"{_listed(labels)}."
        )
        (by_unit[unit_id].warnings if unit_id is not None else readiness.warnings).append(sentence)
