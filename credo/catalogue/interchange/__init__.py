"""The catalogue as a file: export it, and import it all-or-nothing.

The interchange format (docs/catalogue-format.md) is YAML; JSON, being YAML,
imports too. An export writes every key of every entry in a fixed order, so
export → import → export gives the same bytes, and a re-import of an export is
a no-op.

An import is checked as a whole before anything is written: every problem is
collected with its location in the file (`units[3] (Y/615/8308) > outcomes[0] >
text`), and one problem refuses the lot. A clean file is applied in a single
transaction that writes only the rows that differ, with one audit event for
each entry created or changed. The catalogue's own rules hold on import just as
in the editor: a published qualification's structure never changes (publish a
new version instead), and a unit used by one is frozen.

How it works, one module to a stage: `reader.Reader` turns the document into
canonical entries (the very dicts an export writes, defaults filled in) while
checking shapes and types against `schema.SCHEMA`; `checks.Checker`
cross-checks the entries against each other and against the catalogue as
exported from the database (`existing.Catalogue`); `plan` compares entries
with their exported rows to decide what is created, updated or unchanged; and
`apply` writes the plan. Comparing exported forms (`export`) is what makes
"changed" mean exactly "the export would differ". `report` holds what the
caller gets back: the problems, or the counts.
"""

from credo.catalogue.interchange.apply import import_catalogue
from credo.catalogue.interchange.export import dump_document, export_catalogue
from credo.catalogue.interchange.plan import check_document, preview_import
from credo.catalogue.interchange.reader import parse_document
from credo.catalogue.interchange.report import ImportRefused, ImportReport, Problem, Tally
from credo.catalogue.interchange.schema import FORMAT_NAME, FORMAT_VERSION, SCHEMA, Items, Record

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "SCHEMA",
    "ImportRefused",
    "ImportReport",
    "Items",
    "Problem",
    "Record",
    "Tally",
    "check_document",
    "dump_document",
    "export_catalogue",
    "import_catalogue",
    "parse_document",
    "preview_import",
]
