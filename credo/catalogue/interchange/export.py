"""Export: the whole catalogue as a document, every key of every entry, in a fixed order.

Because nothing is left out and the order never varies, export → import →
export gives the same bytes, and a re-import of an export is a no-op. The
per-kind exported forms here are also what an import compares a file's entries
with (see `existing.py`), which is what makes "changed" mean exactly "the
export would differ".
"""

from __future__ import annotations

from typing import Any

import yaml
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from credo.accounts.models import Organisation
from credo.catalogue.interchange.schema import FORMAT_NAME, FORMAT_VERSION, Entry, criterion_order
from credo.catalogue.models import (
    CentreApproval,
    Framework,
    GroupUnit,
    ProgressionRoute,
    Qualification,
    Unit,
)


def dump_document(document: dict[str, Any]) -> str:
    # Wide lines keep long titles and summaries on one line where they fit, as in the demo file.
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


def _framework_entry(framework: Framework) -> Entry:
    return {
        "code": framework.code,
        "name": framework.name,
        "country": framework.country,
        "code_scheme": framework.code_scheme,
        "levels": [
            {"number": level.number, "name": level.name}
            for level in sorted(framework.levels.all(), key=lambda level: level.number)
        ],
    }


def organisation_entry(organisation: Organisation) -> Entry:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "time_zone": organisation.time_zone,
        "website": organisation.website,
    }


def _unit_entry(unit: Unit) -> Entry:
    return {
        "code": unit.code,
        "owner": unit.owner.slug,
        "framework": unit.framework.code,
        "level": unit.level.number,
        "title": unit.title,
        "credits": unit.credits,
        "guided_learning_hours": unit.guided_learning_hours,
        "outcomes": [
            {
                "number": outcome.number,
                "text": outcome.text,
                "sample": outcome.is_sample,
                "criteria": [
                    {"number": criterion.number, "text": criterion.text, "sample": criterion.is_sample}
                    for criterion in sorted(outcome.criteria.all(), key=lambda c: criterion_order(c.number))
                ],
            }
            for outcome in sorted(unit.outcomes.all(), key=lambda outcome: outcome.number)
        ],
    }


def _template_entry(qualification: Qualification) -> Entry | None:
    try:
        template = qualification.portfolio_template
    except ObjectDoesNotExist:
        return None
    return {
        "introduction": template.introduction,
        "sections": [
            {
                "position": section.position,
                "title": section.title,
                "guidance": section.guidance,
                "min_words": section.min_words,
                "max_words": section.max_words,
                "sample": section.is_sample,
                "requirements": [
                    {
                        "kind": requirement.kind,
                        "description": requirement.description,
                        "min_count": requirement.min_count,
                        "attestor_relationship": requirement.attestor_relationship,
                    }
                    for requirement in sorted(section.requirements.all(), key=lambda r: (r.position, r.pk))
                ],
            }
            for section in sorted(template.sections.all(), key=lambda section: section.position)
        ],
    }


def _qualification_entry(qualification: Qualification) -> Entry:
    return {
        "code": qualification.code,
        "version": qualification.version,
        "owner": qualification.owner.slug,
        "framework": qualification.framework.code,
        "level": qualification.level.number,
        "kind": qualification.kind,
        "status": qualification.status,
        "title": qualification.title,
        "summary": qualification.summary,
        "level_note": qualification.level_note,
        "guided_learning_hours": qualification.guided_learning_hours,
        "total_qualification_time": qualification.total_qualification_time,
        "credits": qualification.credits,
        "rules": [
            {
                "name": group.name,
                "kind": group.kind,
                "min_units": group.min_units,
                "min_credits": group.min_credits,
                "units": [m.unit.code for m in sorted(group.memberships.all(), key=lambda m: (m.position, m.pk))],
            }
            for group in sorted(qualification.rule_groups.all(), key=lambda group: (group.position, group.pk))
        ],
        "competencies": [
            {"number": c.number, "title": c.title, "description": c.description, "sample": c.is_sample}
            for c in sorted(qualification.competencies.all(), key=lambda c: c.number)
        ],
        "portfolio_template": _template_entry(qualification),
    }


def framework_entries(frameworks: models.QuerySet[Framework]) -> list[Entry]:
    return [_framework_entry(f) for f in frameworks.prefetch_related("levels").order_by("code")]


def unit_entries(units: models.QuerySet[Unit]) -> list[Entry]:
    units = units.select_related("owner", "framework", "level").prefetch_related("outcomes__criteria")
    return [_unit_entry(unit) for unit in units.order_by("code")]


def qualification_entries(qualifications: models.QuerySet[Qualification]) -> list[Entry]:
    qualifications = qualifications.select_related(
        "owner", "framework", "level", "portfolio_template"
    ).prefetch_related(
        models.Prefetch("rule_groups__memberships", queryset=GroupUnit.objects.select_related("unit")),
        "competencies",
        "portfolio_template__sections__requirements",
    )
    return [_qualification_entry(q) for q in qualifications.order_by("code", "version")]


def _approval_entries(approvals: models.QuerySet[CentreApproval]) -> list[Entry]:
    entries = [
        {"qualification": a.qualification_code, "centre": a.centre.slug, "approved_on": a.approved_on.isoformat()}
        for a in approvals.select_related("centre")
    ]
    return sorted(entries, key=lambda entry: (entry["qualification"], entry["centre"]))


def export_catalogue() -> dict[str, Any]:
    """The whole catalogue as a document, every key present, in a stable order."""
    units = unit_entries(Unit.objects.all())
    qualifications = qualification_entries(Qualification.objects.all())
    approvals = _approval_entries(CentreApproval.objects.all())
    # Only the organisations the catalogue names: the rest are no business of a catalogue file.
    slugs = {e["owner"] for e in units} | {e["owner"] for e in qualifications} | {e["centre"] for e in approvals}
    organisations = Organisation.objects.filter(slug__in=slugs).order_by("slug")
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "frameworks": framework_entries(Framework.objects.all()),
        "organisations": [organisation_entry(o) for o in organisations],
        "units": units,
        "qualifications": qualifications,
        "progression_routes": [
            {"from": route.from_code, "to": route.to_code}
            for route in ProgressionRoute.objects.order_by("from_code", "to_code")
        ],
        "approvals": approvals,
    }
