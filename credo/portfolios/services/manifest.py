"""A portfolio as one JSON document: what a submission freezes and hashes, and what an export's index is drawn from.

The manifest names every section with its items (written text as its sanitised HTML, links, each file's name, size,
type and SHA-256), the completed attestations with their own content hashes, and the mapping of evidence to
assessment criteria and competencies. Its canonical form (keys sorted, no spaces, UTF-8) is what is hashed, so
the same portfolio always gives the same hash, and any later change to a stored submission shows.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

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

FORMAT = "credo.portfolio/1"


def canonical_json(document: Any) -> bytes:
    """The one byte string a document hashes as: sorted keys, compact separators, UTF-8 (not ASCII escapes)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def manifest_sha256(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(manifest)).hexdigest()


def file_items(portfolio: Portfolio) -> list[EvidenceItem]:
    return list(EvidenceItem.objects.filter(portfolio=portfolio, kind=ItemKind.FILE).order_by("pk"))


def build_manifest(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as it is now, in a fixed number of queries however many sections, items and mappings.

    ``portfolio`` must have its enrolment, cohort, programme and qualification loaded or loadable.
    """
    enrolment = portfolio.enrolment
    cohort = enrolment.cohort
    qualification = cohort.programme.qualification
    learner = enrolment.learner
    sections = list(PortfolioSection.objects.filter(portfolio=portfolio).order_by("position"))
    items = list(EvidenceItem.objects.filter(portfolio=portfolio).order_by("section__position", "created_at", "pk"))
    criteria_of = _criteria_by_item(CriterionMapping.objects.filter(item__portfolio=portfolio))
    competencies_of = _competencies_by_item(CompetencyMapping.objects.filter(item__portfolio=portfolio))
    attestations = (
        Attestation.objects.filter(request__portfolio=portfolio, request__state=AttestationState.COMPLETED)
        .select_related("request")
        .order_by("request__section_id", "request__requirement", "completed_at", "pk")
    )
    items_by_section: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        items_by_section[item.section_id].append(
            _item_entry(item, criteria_of.get(item.pk, []), competencies_of.get(item.pk, []))
        )
    attested_by_section: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for attestation in attestations:
        attested_by_section[attestation.request.section_id].append(_attestation_entry(attestation))
    return {
        "format": FORMAT,
        "portfolio": portfolio.pk,
        "enrolment": enrolment.pk,
        "learner": {"name": learner.full_name, "email": learner.email},
        "qualification": {"code": qualification.code, "version": qualification.version, "title": qualification.title},
        "programme": cohort.programme.name,
        "cohort": {"name": cohort.name, "time_zone": cohort.time_zone},
        "attempt": portfolio.attempt,
        "sections": [
            {
                "position": section.position,
                "title": section.title,
                "guidance": section.guidance,
                "suggested_length": section.suggested_length(),
                "requirements": section.requirements or [],
                "items": items_by_section.get(section.pk, []),
                "attestations": attested_by_section.get(section.pk, []),
            }
            for section in sections
        ],
    }


def _item_entry(
    item: EvidenceItem, criteria: list[dict[str, Any]], competencies: list[dict[str, Any]]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "item": item.pk,
        "kind": item.kind,
        "title": item.title,
        "criteria": criteria,
        "competencies": competencies,
    }
    if item.kind == ItemKind.TEXT:
        entry.update(html=item.html, word_count=item.word_count, version=item.version)
    elif item.kind == ItemKind.LINK:
        entry.update(url=item.url)
    else:
        entry.update(name=item.original_name, size=item.size, content_type=item.content_type, sha256=item.sha256)
    return entry


def _attestation_entry(attestation: Attestation) -> dict[str, Any]:
    request = attestation.request
    return {
        "requirement": request.requirement,
        "requested_relationship": request.relationship,
        "attestor_name": attestation.attestor_name,
        "attestor_role": attestation.attestor_role,
        "relationship": attestation.relationship,
        "statement": attestation.statement,
        "answers": attestation.answers,
        "completed_at": attestation.completed_at.isoformat(),
        "content_sha256": attestation.content_sha256,
    }


def _criteria_by_item(mappings: QuerySet[CriterionMapping]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = mappings.select_related("criterion__outcome__unit")
    for mapping in rows.order_by("criterion__outcome__unit__code", "criterion__outcome__number", "criterion__number"):
        criterion = mapping.criterion
        found[mapping.item_id].append(
            {
                "criterion": criterion.pk,
                "unit": criterion.outcome.unit.code,
                "outcome": criterion.outcome.number,
                "number": criterion.number,
                "text": criterion.text,
            }
        )
    return found


def _competencies_by_item(mappings: QuerySet[CompetencyMapping]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = mappings.select_related("competency").order_by("competency__number")
    for mapping in rows:
        competency = mapping.competency
        found[mapping.item_id].append(
            {"competency": competency.pk, "number": competency.number, "title": competency.title}
        )
    return found
