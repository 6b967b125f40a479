"""The import_catalogue and export_catalogue management commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credo.audit.models import AuditEvent
from credo.catalogue.interchange import dump_document, export_catalogue, parse_document
from credo.catalogue.models import Qualification, Unit

DEMO_FILE = Path(__file__).resolve().parents[2] / "front" / "demo" / "catalogue.yaml"


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(DEMO_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    text = DEMO_FILE.read_text(encoding="utf-8")
    text = text.replace("- code: 603/1939/2\n", "- code: 603/1939/3\n").replace(
        "  title: Reflective", "  titel: Reflective"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_importing_a_sound_file_prints_what_was_created(db: None, demo_file: Path) -> None:
    out, _ = run("import_catalogue", str(demo_file))

    assert out.startswith("Imported: created 2 frameworks, 4 organisations, 12 units, 4 qualifications")
    assert Qualification.objects.count() == 4
    assert AuditEvent.objects.filter(action="catalogue.import", actor_label="cli:import_catalogue").count() == 1


def test_importing_it_again_says_nothing_changed(db: None, demo_file: Path) -> None:
    run("import_catalogue", str(demo_file))

    out, _ = run("import_catalogue", str(demo_file))

    assert out.startswith("Nothing to change: the catalogue already matches this file")


def test_a_file_with_problems_lists_each_on_stderr_and_imports_nothing(db: None, broken_file: Path) -> None:
    stderr = io.StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: \d+ problem\(s\)\.$"):
        call_command("import_catalogue", str(broken_file), stdout=io.StringIO(), stderr=stderr)

    lines = stderr.getvalue().splitlines()
    assert "qualifications[0] (603/1939/3 v1) > code: 603/1939/3 fails its check digit" in "\n".join(lines)
    assert any(line.startswith("units[8] (A/615/8320) > titel: unknown key (did you mean 'title'?)") for line in lines)
    assert all(": " in line for line in lines)
    assert not Qualification.objects.exists()
    assert not Unit.objects.exists()


def test_a_yaml_syntax_error_is_reported_with_its_line(db: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("format: credo-catalogue\nformat_version: 1\nunits: [\n", encoding="utf-8")
    stderr = io.StringIO()

    with pytest.raises(CommandError, match=r"1 problem\(s\)"):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().startswith("line 4, column 1: this is not valid YAML")


def test_a_dry_run_reports_and_writes_nothing(db: None, demo_file: Path) -> None:
    out, _ = run("import_catalogue", str(demo_file), "--dry-run")

    assert out.startswith("Dry run, nothing written: the import would create 2 frameworks")
    assert not Qualification.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_dry_run_of_a_broken_file_fails_like_an_import(db: None, broken_file: Path) -> None:
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_catalogue", str(broken_file), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_missing_file_is_a_command_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_catalogue", str(tmp_path / "nowhere.yaml"))


@pytest.mark.parametrize("target", [(), ("-",)], ids=["no file", "dash"])
def test_export_writes_the_catalogue_to_stdout(db: None, demo_file: Path, target: tuple[str, ...]) -> None:
    run("import_catalogue", str(demo_file))

    out, err = run("export_catalogue", *target)

    assert out == dump_document(export_catalogue())
    assert parse_document(out)["format"] == "credo-catalogue"
    assert err == ""


def test_export_writes_a_file_and_says_so_on_stderr(db: None, demo_file: Path, tmp_path: Path) -> None:
    run("import_catalogue", str(demo_file))
    target = tmp_path / "out.yaml"

    out, err = run("export_catalogue", str(target))

    assert target.read_text(encoding="utf-8") == dump_document(export_catalogue())
    assert out == ""
    assert err.strip() == (f"Wrote 4 qualification versions, 12 units, 4 organisations and 2 frameworks to {target}.")


def test_an_exported_file_imports_into_an_empty_catalogue_unchanged(db: None, demo_file: Path, tmp_path: Path) -> None:
    run("import_catalogue", str(demo_file))
    target = tmp_path / "out.yaml"
    run("export_catalogue", str(target))

    out, _ = run("import_catalogue", str(target), "--dry-run")

    assert out.startswith("Nothing to change")
