"""Applying a plan: an import writes only the rows that differ, all in one transaction.

`import_catalogue` checks the file inside the transaction it writes in, so the
catalogue cannot move between the checks and the writes, and either everything
is imported or nothing is. Each entry created or changed gets one audit event
(naming the changed keys), and the import as a whole one more with its
counts; an import that changes nothing writes no events at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from credo.accounts.models import Organisation
from credo.audit.services import record_event
from credo.catalogue.interchange.plan import Change, inspect_document, plan_report
from credo.catalogue.interchange.report import ImportRefused, ImportReport
from credo.catalogue.interchange.schema import Entry
from credo.catalogue.models import (
    CentreApproval,
    Competency,
    EvidenceRequirement,
    Framework,
    GroupUnit,
    Level,
    PortfolioTemplate,
    ProgressionRoute,
    Qualification,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)
from credo.catalogue.services import CriterionSpec, OutcomeSpec, write_outcomes

_UNIT_ROW_FIELDS = ("owner", "framework", "level", "title", "credits", "guided_learning_hours")
_QUALIFICATION_ROW_FIELDS = (
    "owner",
    "framework",
    "level",
    "kind",
    "status",
    "title",
    "summary",
    "level_note",
    "guided_learning_hours",
    "total_qualification_time",
    "credits",
)


class _Writer:
    """Applies a checked plan, writing only what changed and auditing each change."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        # Looked up once the rows they name are written.
        self.frameworks: dict[str, Framework] = {}
        self.level_ids: dict[tuple[str, int], int] = {}
        self.organisations: dict[str, Organisation] = {}
        self.units: dict[str, Unit] = {}

    def audit(self, action: str, obj: models.Model, owner_id: int | None, change: Change, **details: Any) -> None:
        details = {**details, "change": change.outcome}
        if not change.is_new:
            details["fields"] = list(change.fields)
        record_event(actor=self.actor, action=action, obj=obj, organisation_id=owner_id, details=details)

    def apply(self, plan: dict[str, list[Change]]) -> None:
        for change in self._changed(plan["frameworks"]):
            self.framework(change)
        for change in self._changed(plan["organisations"]):
            self.organisation(change)
        self.frameworks = Framework.objects.in_bulk(field_name="code")
        self.level_ids = {
            (code, number): pk for code, number, pk in Level.objects.values_list("framework__code", "number", "pk")
        }
        self.organisations = Organisation.objects.in_bulk(
            {c.entry["owner"] for kind in ("units", "qualifications") for c in plan[kind]}
            | {c.entry["centre"] for c in plan["approvals"]}
            | {c.entry["owner"] for c in plan["approvals"]},
            field_name="slug",
        )
        for change in self._changed(plan["units"]):
            self.unit(change)
        self.units = Unit.objects.in_bulk(
            {code for c in plan["qualifications"] for rule in c.entry["rules"] for code in rule["units"]},
            field_name="code",
        )
        for change in sorted(self._changed(plan["qualifications"]), key=_slot_order):
            self.qualification(change)
        for change in self._changed(plan["progression_routes"]):
            self.route(change)
        for change in self._changed(plan["approvals"]):
            self.approval(change)

    @staticmethod
    def _changed(changes: list[Change]) -> list[Change]:
        return [change for change in changes if change.outcome != "unchanged"]

    def framework(self, change: Change) -> None:
        entry = change.entry
        own = {name: entry[name] for name in ("name", "country", "code_scheme")}
        framework, created = Framework.objects.get_or_create(code=entry["code"], defaults=own)
        if not created and set(change.fields) & set(own):
            for name, value in own.items():
                setattr(framework, name, value)
            framework.save()
        levels = {level.number: level for level in framework.levels.all()}
        for wanted in entry["levels"]:
            level = levels.get(wanted["number"])
            if level is None:
                Level.objects.create(framework=framework, number=wanted["number"], name=wanted["name"])
            elif level.name != wanted["name"]:
                level.name = wanted["name"]
                level.save(update_fields=["name"])
        self.audit("catalogue.imported_framework", framework, None, change, code=framework.code)

    def organisation(self, change: Change) -> None:
        entry = change.entry
        fields = {name: entry[name] for name in ("name", "kind", "country", "time_zone", "website")}
        organisation, _ = Organisation.objects.update_or_create(slug=entry["slug"], defaults=fields)
        self.audit("catalogue.imported_organisation", organisation, organisation.pk, change, slug=organisation.slug)

    def _row_values(self, entry: Entry, names: Sequence[str]) -> dict[str, Any]:
        values = {name: entry[name] for name in names if name not in ("owner", "framework", "level")}
        values["owner"] = self.organisations[entry["owner"]]
        values["framework"] = self.frameworks[entry["framework"]]
        values["level_id"] = self.level_ids[(entry["framework"], entry["level"])]
        return values

    def unit(self, change: Change) -> None:
        entry = change.entry
        values = self._row_values(entry, _UNIT_ROW_FIELDS)
        if change.is_new:
            unit = Unit.objects.create(code=entry["code"], **values)
        else:
            unit = Unit.objects.get(code=entry["code"])
            if set(change.fields) & set(_UNIT_ROW_FIELDS):
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.save()
        if change.is_new or "outcomes" in change.fields:
            write_outcomes(unit, [_outcome_spec(outcome) for outcome in entry["outcomes"]])
        self.audit("catalogue.imported_unit", unit, unit.owner_id, change, code=unit.code)

    def qualification(self, change: Change) -> None:
        entry = change.entry
        values = self._row_values(entry, _QUALIFICATION_ROW_FIELDS)
        if change.is_new:
            qualification = Qualification.objects.create(code=entry["code"], version=entry["version"], **values)
        else:
            qualification = Qualification.objects.get(code=entry["code"], version=entry["version"])
            if set(change.fields) & set(_QUALIFICATION_ROW_FIELDS):
                for name, value in values.items():
                    setattr(qualification, name, value)
                qualification.save()
        # Only a new version or an overwritten draft gets here with changed parts (the checks saw to that).
        if change.is_new or "rules" in change.fields:
            self.rules(qualification, entry["rules"])
        if change.is_new or "competencies" in change.fields:
            self.competencies(qualification, entry["competencies"])
        if change.is_new or "portfolio_template" in change.fields:
            self.template(qualification, entry["portfolio_template"])
        self.audit(
            "catalogue.imported_qualification",
            qualification,
            qualification.owner_id,
            change,
            code=qualification.code,
            version=qualification.version,
            status=qualification.status,
        )

    def rules(self, qualification: Qualification, rules: list[Entry]) -> None:
        qualification.rule_groups.all().delete()
        for position, rule in enumerate(rules, start=1):
            group = RuleGroup.objects.create(
                qualification=qualification,
                position=position,
                name=rule["name"],
                kind=rule["kind"],
                min_units=rule["min_units"],
                min_credits=rule["min_credits"],
            )
            GroupUnit.objects.bulk_create(
                GroupUnit(group=group, unit=self.units[code], qualification=qualification, position=index)
                for index, code in enumerate(rule["units"], start=1)
            )

    def competencies(self, qualification: Qualification, competencies: list[Entry]) -> None:
        qualification.competencies.all().delete()
        Competency.objects.bulk_create(
            Competency(
                qualification=qualification,
                number=c["number"],
                title=c["title"],
                description=c["description"],
                is_sample=c["sample"],
            )
            for c in competencies
        )

    def template(self, qualification: Qualification, template: Entry | None) -> None:
        PortfolioTemplate.objects.filter(qualification=qualification).delete()
        if template is None:
            return
        portfolio = PortfolioTemplate.objects.create(qualification=qualification, introduction=template["introduction"])
        for section in template["sections"]:
            saved = TemplateSection.objects.create(
                template=portfolio,
                position=section["position"],
                title=section["title"],
                guidance=section["guidance"],
                min_words=section["min_words"],
                max_words=section["max_words"],
                is_sample=section["sample"],
            )
            EvidenceRequirement.objects.bulk_create(
                EvidenceRequirement(
                    section=saved,
                    position=index,
                    kind=r["kind"],
                    description=r["description"],
                    min_count=r["min_count"],
                    attestor_relationship=r["attestor_relationship"],
                )
                for index, r in enumerate(section["requirements"], start=1)
            )

    def route(self, change: Change) -> None:
        entry = change.entry
        route = ProgressionRoute.objects.create(from_code=entry["from"], to_code=entry["to"])
        owner = Qualification.objects.filter(code=entry["from"]).order_by("-version").values_list("owner_id", flat=True)
        self.audit("catalogue.imported_progression_route", route, owner.first(), change, **entry)

    def approval(self, change: Change) -> None:
        entry = change.entry
        owner = self.organisations[entry["owner"]]
        approval, _ = CentreApproval.objects.update_or_create(
            qualification_code=entry["qualification"],
            centre=self.organisations[entry["centre"]],
            defaults={"owner": owner, "approved_on": datetime.date.fromisoformat(entry["approved_on"])},
        )
        self.audit("catalogue.imported_approval", approval, owner.pk, change, **entry)


def _slot_order(change: Change) -> tuple[int, str, int]:
    """Free a code's live and draft slots before filling them: the database allows one of each at any moment."""
    entry = change.entry
    if not change.is_new and entry["status"] in (Status.SUPERSEDED, Status.WITHDRAWN):
        step = 0
    elif not change.is_new and "status" in change.fields:
        step = 1
    else:
        step = 2
    return (step, entry["code"], entry["version"])


def _outcome_spec(outcome: Entry) -> OutcomeSpec:
    return OutcomeSpec(
        number=outcome["number"],
        text=outcome["text"],
        is_sample=outcome["sample"],
        criteria=tuple(
            CriterionSpec(number=c["number"], text=c["text"], is_sample=c["sample"]) for c in outcome["criteria"]
        ),
    )


def import_catalogue(*, actor: Any, document: dict[str, Any]) -> ImportReport:
    """Import the document all-or-nothing: ImportRefused with every problem, or everything in one transaction.

    Importing the same document again changes nothing and writes no audit events.
    """
    with transaction.atomic():
        # Checked inside the transaction, so the catalogue cannot move between the checks and the writes.
        inspection = inspect_document(document)
        if inspection.problems:
            raise ImportRefused(inspection.problems)
        report = plan_report(inspection.plan, written=True)
        if report.changed:
            _Writer(actor).apply(inspection.plan)
            record_event(actor=actor, action="catalogue.import", details={"counts": report.counts()})
    return report
