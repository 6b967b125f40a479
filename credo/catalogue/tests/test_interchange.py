"""Catalogue import and export: lossless, idempotent, and all-or-nothing with every problem located."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from credo.accounts.models import Organisation
from credo.audit.models import AuditEvent
from credo.catalogue.interchange import (
    SCHEMA,
    ImportRefused,
    Items,
    Problem,
    Record,
    check_document,
    dump_document,
    export_catalogue,
    import_catalogue,
    parse_document,
    preview_import,
)
from credo.catalogue.models import (
    CentreApproval,
    Competency,
    Framework,
    GroupUnit,
    Level,
    ProgressionRoute,
    Qualification,
    Status,
    TemplateSection,
    Unit,
)

DEMO_FILE = Path(__file__).resolve().parents[2] / "front" / "demo" / "catalogue.yaml"
FORMAT_DOC = Path(__file__).resolve().parents[3] / "docs" / "catalogue-format.md"
ACTOR = "test:interchange"

L2_AWARD, L3_AWARD, L3_CERTIFICATE, CLD = 0, 1, 2, 3  # indexes of the demo's qualifications


@pytest.fixture(scope="module")
def demo_text() -> str:
    return DEMO_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_document(demo_text: str) -> dict[str, Any]:
    return parse_document(demo_text)


@pytest.fixture
def demo(demo_document: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the demo document, to change as a test needs."""
    return copy.deepcopy(demo_document)


def refusal(document: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        import_catalogue(actor=ACTOR, document=document)
    return refused.value.problems


def messages_at(problems: list[Problem], location: str) -> list[str]:
    return [p.message for p in problems if p.location == location]


def nothing_in_the_catalogue() -> bool:
    return not (
        Qualification.objects.exists()
        or Unit.objects.exists()
        or Framework.objects.exists()
        or Organisation.objects.exists()
        or AuditEvent.objects.exists()
    )


def wipe_catalogue() -> None:
    """Delete every catalogue row, and the organisations, in an order the foreign keys allow."""
    CentreApproval.objects.all().delete()
    ProgressionRoute.objects.all().delete()
    GroupUnit.objects.all().delete()
    Qualification.objects.all().delete()
    Unit.objects.all().delete()
    Level.objects.all().delete()
    Framework.objects.all().delete()
    Organisation.objects.all().delete()


def richer_catalogue() -> dict[str, Any]:
    """What the demo does not exercise: credits, optional groups, word limits, a draft, a null template."""
    return {
        "format": "credo-catalogue",
        "format_version": 1,
        "frameworks": [
            {"code": "TQF", "name": "Test Framework", "country": "NZ", "code_scheme": "local", "levels": []},
        ],
        "organisations": [
            {"slug": "test-institute", "name": "Test Institute", "kind": "issuing_institution", "country": "NZ"},
        ],
        "units": [
            {
                "code": f"TU-{n}",
                "owner": "test-institute",
                "framework": "TQF",
                "level": 4,
                "title": f"Unit {n}",
                "credits": 5,
                "outcomes": [
                    {
                        "number": 1,
                        "text": "Can do it",
                        "criteria": [{"number": "1.10", "text": "Tenth"}, {"number": "1.2", "text": "Second"}],
                    }
                ],
            }
            for n in (1, 2, 3)
        ],
        "qualifications": [
            {
                "code": "TQ-1",
                "owner": "test-institute",
                "framework": "TQF",
                "level": 4,
                "kind": "certificate",
                "status": "live",
                "title": "Test Certificate",
                "credits": 10,
                "rules": [
                    {"name": "Core", "kind": "mandatory", "units": ["TU-1"]},
                    {"name": "Options", "kind": "optional", "min_credits": 5, "units": ["TU-3", "TU-2"]},
                ],
            },
            {
                "code": "TQ-1",
                "version": 2,
                "owner": "test-institute",
                "framework": "TQF",
                "level": 4,
                "kind": "certificate",
                "title": "Test Certificate (next)",
                "portfolio_template": {
                    "sections": [
                        {
                            "position": 2,
                            "title": "Essay",
                            "min_words": 500,
                            "max_words": 1500,
                            "requirements": [{"kind": "link", "description": "A link", "min_count": 2}],
                        }
                    ]
                },
            },
        ],
    }


def richer_with_levels() -> dict[str, Any]:
    document = richer_catalogue()
    document["frameworks"][0]["levels"] = [{"number": 4, "name": "Level 4"}]
    return document


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_file_has_no_problems(db: None, demo: dict[str, Any]) -> None:
    assert check_document(demo) == []


def test_importing_the_demo_creates_its_qualifications_units_and_approvals(db: None, demo: dict[str, Any]) -> None:
    report = import_catalogue(actor=ACTOR, document=demo)

    assert report.qualifications.created == 4
    assert report.units.created == 12
    seg = Qualification.objects.filter(owner__slug="seg-awards", status=Status.LIVE)
    assert sorted(seg.values_list("code", flat=True)) == ["603/1939/2", "603/1941/0", "603/1942/2"]
    micro = Qualification.objects.get(code="CLD-FACILITATION")
    assert micro.is_micro_credential
    assert micro.competencies.count() == 5
    assert micro.portfolio_template.sections.count() == 6
    assert Unit.objects.count() == 12
    assert CentreApproval.objects.count() == 4
    assert set(ProgressionRoute.objects.values_list("from_code", "to_code")) == {
        ("603/1939/2", "603/1942/2"),
        ("603/1941/0", "603/1942/2"),
    }


def test_the_shared_units_sit_in_both_level_3_qualifications(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=demo)

    award = set(Unit.objects.filter(rule_groups__qualification__code="603/1941/0").values_list("code", flat=True))
    certificate = set(Unit.objects.filter(rule_groups__qualification__code="603/1942/2").values_list("code", flat=True))
    assert award == {"J/615/8322", "D/615/8309", "L/615/8323"}
    assert award < certificate
    assert len(certificate) == 9


def test_an_import_writes_one_audit_event_per_entry_and_one_summary(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=demo)

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("catalogue.imported_qualification") == 4
    assert actions.count("catalogue.imported_unit") == 12
    assert actions.count("catalogue.imported_organisation") == 4
    assert actions[-1] == "catalogue.import"
    summary = AuditEvent.objects.get(action="catalogue.import")
    assert summary.actor_label == ACTOR
    assert summary.details["counts"]["units"] == {"created": 12, "updated": 0, "unchanged": 0}
    award = AuditEvent.objects.get(action="catalogue.imported_qualification", details__code="603/1939/2")
    assert award.organisation_id_at_event == Organisation.objects.get(slug="seg-awards").pk


# Round trips ------------------------------------------------------------------------------------


def test_export_then_import_then_export_gives_the_same_text(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=demo)
    import_catalogue(actor=ACTOR, document=richer_with_levels())
    first = dump_document(export_catalogue())

    wipe_catalogue()
    assert not Qualification.objects.exists()
    import_catalogue(actor=ACTOR, document=parse_document(first))
    second = dump_document(export_catalogue())

    assert second == first


def test_reimporting_the_same_document_changes_nothing_and_writes_no_events(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=demo)
    events = AuditEvent.objects.count()
    exported = export_catalogue()

    again = import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    from_export = import_catalogue(actor=ACTOR, document=exported)

    for report in (again, from_export):
        assert not report.changed
        assert report.qualifications.unchanged == 4
        assert report.units.unchanged == 12
        assert report.summary().startswith("Nothing to change")
    assert AuditEvent.objects.count() == events
    assert export_catalogue() == exported


def test_reimporting_a_file_that_lists_things_out_of_order_changes_nothing(db: None) -> None:
    document = richer_with_levels()  # criteria 1.10 before 1.2, in a live qualification's units
    document["qualifications"][0]["competencies"] = [{"number": 2, "title": "Two"}, {"number": 1, "title": "One"}]
    import_catalogue(actor=ACTOR, document=copy.deepcopy(document))

    report = import_catalogue(actor=ACTOR, document=document)

    assert not report.changed


def test_a_json_file_imports_like_yaml(db: None, demo: dict[str, Any]) -> None:
    report = import_catalogue(actor=ACTOR, document=parse_document(json.dumps(demo)))

    assert report.qualifications.created == 4


def _keys_out_of_place(value: Any, record: Record, where: str) -> list[str]:
    """Every exported mapping, at any depth, whose keys are not exactly its record's keys in order."""
    wrong = [] if list(value) == list(record.names) else [where]
    for key in record.keys:
        nested = value.get(key.name)
        if isinstance(key.type, Items):
            for index, item in enumerate(nested or []):
                wrong += _keys_out_of_place(item, key.type.record, f"{where} > {key.name}[{index}]")
        elif isinstance(key.type, Record) and nested is not None:
            wrong += _keys_out_of_place(nested, key.type, f"{where} > {key.name}")
    return wrong


def test_an_export_writes_every_key_of_the_format_in_its_order(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=demo)
    import_catalogue(actor=ACTOR, document=richer_with_levels())

    assert _keys_out_of_place(export_catalogue(), SCHEMA, "document") == []


def test_an_export_fills_in_defaults_and_sorts_as_documented(db: None) -> None:
    import_catalogue(actor=ACTOR, document=richer_with_levels())

    exported = export_catalogue()

    draft = exported["qualifications"][1]
    assert (draft["version"], draft["status"], draft["summary"], draft["credits"]) == (2, "draft", "", None)
    assert exported["qualifications"][0]["portfolio_template"] is None
    assert [c["number"] for c in exported["units"][0]["outcomes"][0]["criteria"]] == ["1.2", "1.10"]
    assert exported["qualifications"][0]["rules"][1]["units"] == ["TU-3", "TU-2"]
    assert exported["organisations"][0]["time_zone"] == "UTC"


def test_a_dry_run_reports_what_would_change_and_writes_nothing(db: None, demo: dict[str, Any]) -> None:
    report = preview_import(document=demo)

    assert report.units.created == 12
    assert not report.written
    assert report.summary().startswith("Dry run, nothing written: the import would create 2 frameworks")
    assert nothing_in_the_catalogue()


# Broken documents: each refused with its own message, nothing written ----------------------------


def _change(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a value deep in the document: _change("units.0.level", "two")."""

    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _append_copy(kind: str, index: int, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document[kind].append({**copy.deepcopy(document[kind][index]), **changes})

    return change


def _with(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        for each in changes:
            each(document)

    return change


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "bad check digit in a QN",
        _change("qualifications.0.code", "603/1939/3"),
        "qualifications[0] (603/1939/3 v1) > code",
        "603/1939/3 fails its check digit (it should end in /2, not /3): check the number for a typo.",
    ),
    (
        "bad check letter in a URN",
        _change("units.0.code", "A/615/8308"),
        "units[0] (A/615/8308) > code",
        "A/615/8308 fails its check letter (it should start with Y/, not A/): check the number for a typo.",
    ),
    (
        "a local code that breaks the local rules",
        _change("qualifications.3.code", "cld facilitation"),
        "qualifications[3] (cld facilitation v1) > code",
        "'cld facilitation' is not a valid code",
    ),
    (
        "unknown unit in a rule",
        _change("qualifications.0.rules.0.units.1", "J/615/9999"),
        "qualifications[0] (603/1939/2 v1) > rules[0] > units[1]",
        "there is no unit 'J/615/9999' in this file or the catalogue",
    ),
    (
        "duplicate unit code",
        _append_copy("units", 0),
        "units[12] (Y/615/8308)",
        "Unit Y/615/8308 is listed twice (first at units[0] (Y/615/8308)): keep one.",
    ),
    (
        "unknown owner",
        _change("units.0.owner", "seg-award"),
        "units[0] (Y/615/8308) > owner",
        "there is no organisation 'seg-award' in this file or the catalogue (did you mean 'seg-awards'?)",
    ),
    (
        "owner that is a provider",
        _change("units.0.owner", "inspiring-communities"),
        "units[0] (Y/615/8308) > owner",
        "inspiring-communities is a provider: only an awarding_body or issuing_institution owns",
    ),
    (
        "unknown key",
        _change("qualifications.3.titel", "Typo"),
        "qualifications[3] (CLD-FACILITATION v1) > titel",
        "unknown key (did you mean 'title'?): the keys of a qualification are code, version, owner,",
    ),
    (
        "missing required key",
        lambda document: document["units"][2].pop("title"),
        "units[2] (F/615/8321) > title",
        "missing: this needs a value (text).",
    ),
    (
        "wrong type",
        _change("units.3.level", "two"),
        "units[3] (J/615/8322) > level",
        "must be a whole number, not the text 'two'.",
    ),
    (
        "negative credits",
        _change("units.0.credits", -5),
        "units[0] (Y/615/8308) > credits",
        "must be between 0 and 2147483647, not -5.",
    ),
    (
        "a criterion number YAML reads as a number",
        _change("units.0.outcomes.0.criteria.0.number", 1.1),
        "units[0] (Y/615/8308) > outcomes[0] > criteria[0] > number",
        "must be text, not the number 1.1 (put it in quotes, so it is read as text).",
    ),
    (
        "enum value not allowed",
        _change("organisations.1.kind", "awarding-body"),
        "organisations[1] (seg-awards) > kind",
        "the text 'awarding-body' is not allowed here: use one of awarding_body, issuing_institution, provider.",
    ),
    (
        "a list that is not a list",
        _change("units", {"code": "Y/615/8308"}),
        "units",
        "must be a list of unit entries, not a mapping.",
    ),
    (
        "level not in the framework",
        _change("units.0.level", 9),
        "units[0] (Y/615/8308) > level",
        "RQF has no level 9 (its levels: 1, 2, 3, 4, 5, 6, 7, 8)",
    ),
    (
        "unit from another framework",
        _change("qualifications.3.rules", [{"name": "Core", "kind": "mandatory", "units": ["Y/615/8308"]}]),
        "qualifications[3] (CLD-FACILITATION v1) > rules[0] > units[0]",
        "Y/615/8308 is a RQF unit and this qualification is in NZQF",
    ),
    (
        "unit listed twice in one qualification",
        _change("qualifications.0.rules.0.units.2", "Y/615/8308"),
        "qualifications[0] (603/1939/2 v1) > rules[0] > units[2]",
        "Y/615/8308 is already in this qualification (at qualifications[0] (603/1939/2 v1) > rules[0] > units[0])",
    ),
    (
        "optional group without a minimum",
        _change("qualifications.2.rules.0.kind", "optional"),
        "qualifications[2] (603/1942/2 v1) > rules[0]",
        "an optional group needs a minimum: set min_units or min_credits (above 0), or both.",
    ),
    (
        "mandatory group with a minimum",
        _change("qualifications.2.rules.0.min_units", 2),
        "qualifications[2] (603/1942/2 v1) > rules[0]",
        "a mandatory group needs every unit, so it takes no minimum: remove min_units.",
    ),
    (
        "min_units too high in a draft",
        _with(
            _change("qualifications.0.status", "draft"),
            _change("qualifications.0.rules.0.kind", "optional"),
            _change("qualifications.0.rules.0.min_units", 4),
        ),
        "qualifications[0] (603/1939/2 v1) > rules[0] > min_units",
        "asks for 4 units but the group has only 3: lower it, or add units.",
    ),
    (
        "min_units too high in a live qualification",
        _with(_change("qualifications.0.rules.0.kind", "optional"), _change("qualifications.0.rules.0.min_units", 4)),
        "qualifications[0] (603/1939/2 v1)",
        "Rule group “Mandatory units” asks for 4 units but has only 3. It is live in this file, so it must be "
        "complete.",
    ),
    (
        "live qualification with no rules",
        _change("qualifications.1.rules", []),
        "qualifications[1] (603/1941/0 v1)",
        "Add at least one rule group with units before it goes live.",
    ),
    (
        "two live versions",
        _append_copy("qualifications", 0, version=2),
        "qualifications[0] (603/1939/2 v1)",
        "603/1939/2 would have 2 live versions (v1, v2, counting the catalogue's): at most one version is live",
    ),
    (
        "duplicate outcome number",
        _change("units.1.outcomes.1.number", 1),
        "units[1] (J/615/8319) > outcomes[1] > number",
        "Outcome 1 is used twice (also at units[1] (J/615/8319) > outcomes[0]): each needs its own.",
    ),
    (
        "duplicate criterion number",
        _change("units.1.outcomes.0.criteria.1.number", "1.1"),
        "units[1] (J/615/8319) > outcomes[0] > criteria[1] > number",
        "Criterion 1.1 is used twice",
    ),
    (
        "duplicate competency number",
        _change("qualifications.3.competencies.4.number", 1),
        "qualifications[3] (CLD-FACILITATION v1) > competencies[4] > number",
        "Competency 1 is used twice",
    ),
    (
        "duplicate section position",
        _change("qualifications.3.portfolio_template.sections.1.position", 1),
        "qualifications[3] (CLD-FACILITATION v1) > portfolio_template > sections[1] > position",
        "Position 1 is used twice",
    ),
    (
        "min_words above max_words",
        _with(
            _change("qualifications.3.portfolio_template.sections.1.min_words", 2000),
            _change("qualifications.3.portfolio_template.sections.1.max_words", 1000),
        ),
        "qualifications[3] (CLD-FACILITATION v1) > portfolio_template > sections[1] > min_words",
        "is 2000, more than max_words (1000)",
    ),
    (
        "duplicate progression route",
        _append_copy("progression_routes", 0),
        "progression_routes[2] (603/1939/2 → 603/1942/2)",
        "The route 603/1939/2 → 603/1942/2 is listed twice",
    ),
    (
        "route to an unknown qualification",
        _change("progression_routes.0.to", "603/1942/9"),
        "progression_routes[0] (603/1939/2 → 603/1942/9) > to",
        "there is no qualification '603/1942/9' in this file or the catalogue",
    ),
    (
        "duplicate approval",
        _append_copy("approvals", 0, approved_on="2025-01-01"),
        "approvals[4] (603/1939/2 at riverside-organising-centre)",
        "The approval of riverside-organising-centre for 603/1939/2 is listed twice",
    ),
    (
        "approval of a centre that is not a provider",
        _change("approvals.0.centre", "seg-awards"),
        "approvals[0] (603/1939/2 at seg-awards) > centre",
        "seg-awards is a awarding_body: only a provider can be approved as a centre.",
    ),
    (
        "approval date that is not a date",
        _change("approvals.0.approved_on", "15/01/2024"),
        "approvals[0] (603/1939/2 at riverside-organising-centre) > approved_on",
        "must be a date written YYYY-MM-DD, not the text '15/01/2024'.",
    ),
    (
        "wrong format header",
        _change("format", "credo-catalog"),
        "format",
        "must be 'credo-catalogue', not the text 'credo-catalog': is this a credo catalogue file?",
    ),
    (
        "unknown format version",
        _change("format_version", 2),
        "format_version",
        "must be 1, not the number 2: this version of credo reads format_version 1",
    ),
    (
        "bad time zone",
        _change("organisations.0.time_zone", "Auckland"),
        "organisations[0] (otago-polytechnic) > time_zone",
        "'Auckland' is not a time zone",
    ),
]


@pytest.mark.parametrize(("change", "location", "message"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_it_refuses_a_broken_document_saying_where_and_why_and_writes_nothing(
    db: None, demo: dict[str, Any], change: Callable[[dict[str, Any]], None], location: str, message: str
) -> None:
    change(demo)

    problems = refusal(demo)

    assert any(found.startswith(message) or message in found for found in messages_at(problems, location)), problems
    assert nothing_in_the_catalogue()


def test_it_reports_a_yaml_syntax_error_with_its_line_and_column(db: None, demo_text: str) -> None:
    broken = demo_text.replace("format_version: 1\n", "format_version: 1\n  frameworks: [oops\n", 1)

    with pytest.raises(ImportRefused) as refused:
        parse_document(broken)

    [problem] = refused.value.problems
    assert re.fullmatch(r"line \d+, column \d+", problem.location)
    assert "this is not valid YAML" in problem.message
    assert nothing_in_the_catalogue()


def test_it_refuses_a_key_given_twice_in_one_mapping(demo_text: str) -> None:
    broken = demo_text.replace("  title: Reflective Practice\n", "  title: Reflective Practice\n  title: Again\n")

    with pytest.raises(ImportRefused) as refused:
        parse_document(broken)

    [problem] = refused.value.problems
    assert problem.location.startswith("line ")
    assert "the key 'title' is given twice" in problem.message


@pytest.mark.parametrize("text", ["", "- just\n- a list\n"], ids=["empty", "a list"])
def test_it_refuses_a_file_that_is_not_a_mapping(text: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_document(text)

    assert refused.value.problems[0].location == "file"


def test_a_document_with_several_problems_reports_every_one(db: None, demo: dict[str, Any]) -> None:
    demo["qualifications"][0]["code"] = "603/1939/3"
    demo["qualifications"][3]["titel"] = "Typo"
    demo["units"][5]["owner"] = "nobody"
    demo["units"][6]["credits"] = "ten"
    demo["approvals"][3]["centre"] = "otago-polytechnic"

    problems = refusal(demo)

    locations = {p.location for p in problems}
    assert {
        "qualifications[0] (603/1939/3 v1) > code",
        "qualifications[3] (CLD-FACILITATION v1) > titel",
        "units[5] (L/615/8323) > owner",
        "units[6] (F/615/8318) > credits",
        "approvals[3] (CLD-FACILITATION at otago-polytechnic) > centre",
    } <= locations
    assert str(problems[0]) == f"{problems[0].location}: {problems[0].message}"
    assert nothing_in_the_catalogue()


def test_a_broken_unit_is_not_also_reported_as_unknown_where_it_is_used(db: None, demo: dict[str, Any]) -> None:
    del demo["units"][0]["title"]

    problems = refusal(demo)

    assert [p.location for p in problems] == ["units[0] (Y/615/8308) > title"]


# Against the catalogue -------------------------------------------------------------------------


def test_changing_a_live_qualification_is_refused_with_the_new_version_message(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["qualifications"][L2_AWARD]["title"] = "A better title"

    problems = refusal(demo)

    assert problems == [
        Problem(
            "qualifications[0] (603/1939/2 v1)",
            "603/1939/2 v1 is live in the catalogue and differs from this file (fields: title): "
            "publish changes as a new version (v2).",
        )
    ]
    assert Qualification.objects.get(code="603/1939/2").title == "SEG Awards Level 2 Award in Community Organising"


def test_the_same_change_to_a_draft_is_applied(db: None, demo: dict[str, Any]) -> None:
    demo["qualifications"][CLD]["status"] = "draft"
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    events = AuditEvent.objects.count()
    demo["qualifications"][CLD]["title"] = "A better title"
    demo["qualifications"][CLD]["competencies"] = demo["qualifications"][CLD]["competencies"][:2]
    demo["qualifications"][CLD]["portfolio_template"] = None

    report = import_catalogue(actor=ACTOR, document=demo)

    assert (report.qualifications.updated, report.qualifications.unchanged) == (1, 3)
    draft = Qualification.objects.get(code="CLD-FACILITATION")
    assert draft.title == "A better title"
    assert Competency.objects.filter(qualification=draft).count() == 2
    assert not TemplateSection.objects.filter(template__qualification=draft).exists()
    changed = AuditEvent.objects.filter(pk__gt=0).order_by("seq")[events:]
    assert [e.action for e in changed] == ["catalogue.imported_qualification", "catalogue.import"]
    assert changed[0].details["fields"] == ["title", "competencies", "portfolio_template"]


def test_a_draft_can_be_published_by_import(db: None, demo: dict[str, Any]) -> None:
    demo["qualifications"][CLD]["status"] = "draft"
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["qualifications"][CLD]["status"] = "live"

    import_catalogue(actor=ACTOR, document=demo)

    assert Qualification.objects.get(code="CLD-FACILITATION").status == Status.LIVE


def test_a_new_live_version_may_supersede_the_old_one_in_the_same_file(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    award = demo["qualifications"][L2_AWARD]
    demo["qualifications"].append({**copy.deepcopy(award), "version": 2, "title": "Renamed award"})
    award["status"] = "superseded"

    report = import_catalogue(actor=ACTOR, document=demo)

    assert (report.qualifications.created, report.qualifications.updated) == (1, 1)
    versions = dict(Qualification.objects.filter(code="603/1939/2").values_list("version", "status"))
    assert versions == {1: Status.SUPERSEDED, 2: Status.LIVE}


def test_a_new_live_version_is_refused_while_the_catalogue_keeps_the_old_one_live(
    db: None, demo: dict[str, Any]
) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["qualifications"][L2_AWARD]["version"] = 2

    problems = refusal(demo)

    assert messages_at(problems, "qualifications[0] (603/1939/2 v2)") == [
        "603/1939/2 would have 2 live versions (v1, v2, counting the catalogue's): at most one version is live "
        "at a time."
    ]


def test_a_published_status_cannot_be_changed_by_import(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["qualifications"][L2_AWARD]["status"] = "withdrawn"

    problems = refusal(demo)

    assert [p.location for p in problems] == ["qualifications[0] (603/1939/2 v1) > status"]
    assert "an import cannot change a published version's status" in problems[0].message


def test_a_unit_in_a_published_qualification_cannot_change(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["units"][0]["outcomes"][0]["text"] = "Listen harder"

    problems = refusal(demo)

    assert problems == [
        Problem(
            "units[0] (Y/615/8308)",
            "Unit Y/615/8308 is part of published qualification(s) 603/1939/2, so its content cannot change "
            "(fields: outcomes): a changed unit needs a new unit code.",
        )
    ]


def test_a_unit_used_only_by_drafts_is_updated(db: None) -> None:
    document = richer_with_levels()
    document["qualifications"] = document["qualifications"][1:]  # only the draft
    document["qualifications"][0]["rules"] = [{"name": "Core", "kind": "mandatory", "units": ["TU-1"]}]
    import_catalogue(actor=ACTOR, document=copy.deepcopy(document))
    document["units"][0]["title"] = "Renamed unit"
    document["units"][0]["outcomes"][0]["criteria"].append({"number": "1.3", "text": "Third"})

    report = import_catalogue(actor=ACTOR, document=document)

    assert (report.units.updated, report.units.unchanged) == (1, 2)
    unit = Unit.objects.get(code="TU-1")
    assert unit.title == "Renamed unit"
    assert sorted(unit.outcomes.get().criteria.values_list("number", flat=True)) == ["1.10", "1.2", "1.3"]


def test_an_organisation_is_updated_but_its_kind_cannot_change(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["organisations"][1]["name"] = "SEG Awards Ltd"

    report = import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["organisations"][1]["kind"] = "issuing_institution"
    problems = refusal(demo)

    assert report.organisations.updated == 1
    assert Organisation.objects.get(slug="seg-awards").name == "SEG Awards Ltd"
    assert messages_at(problems, "organisations[1] (seg-awards) > kind") == [
        "seg-awards is a awarding_body in the catalogue and this file says issuing_institution: "
        "an organisation's kind cannot change."
    ]


def test_references_may_point_at_entries_already_in_the_catalogue(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    only_routes = {
        "format": "credo-catalogue",
        "format_version": 1,
        "progression_routes": [{"from": "603/1941/0", "to": "603/1939/2"}],
        "approvals": [
            {"qualification": "CLD-FACILITATION", "centre": "riverside-organising-centre", "approved_on": "2025-05-01"}
        ],
    }

    report = import_catalogue(actor=ACTOR, document=only_routes)

    assert (report.progression_routes.created, report.approvals.created) == (1, 1)
    approval = CentreApproval.objects.get(
        qualification_code="CLD-FACILITATION", centre__slug="riverside-organising-centre"
    )
    assert approval.owner.slug == "otago-polytechnic"


def test_an_approval_date_is_updated(db: None, demo: dict[str, Any]) -> None:
    import_catalogue(actor=ACTOR, document=copy.deepcopy(demo))
    demo["approvals"][0]["approved_on"] = "2024-02-01"

    report = import_catalogue(actor=ACTOR, document=demo)

    assert report.approvals.updated == 1
    assert str(CentreApproval.objects.get(qualification_code="603/1939/2").approved_on) == "2024-02-01"


# The documentation ------------------------------------------------------------------------------


def _every_key(record: Record) -> set[str]:
    keys = set(record.names)
    for key in record.keys:
        nested = key.type.record if isinstance(key.type, Items) else key.type
        if isinstance(nested, Record):
            keys |= _every_key(nested)
    return keys


def test_the_format_documentation_names_every_key() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")

    missing = sorted(key for key in _every_key(SCHEMA) if f"`{key}`" not in text)

    assert missing == []


def test_the_example_in_the_format_documentation_imports(db: None) -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    example = text.split("## A short example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]

    report = import_catalogue(actor=ACTOR, document=parse_document(example))

    assert (report.units.created, report.qualifications.created) == (1, 1)
