"""Reading a file: YAML text into a document, and a document into canonical entries.

`parse_document` reads the text, refusing what plain YAML would let slip (a key
given twice). `Reader` then checks every value's shape and type against
`SCHEMA` and builds canonical entries: the very dicts an export writes, every
key present and defaults filled in, so that later stages compare like with
like. Each top-level entry is `Located` in the file for messages. Problems are
collected, not raised, so one pass reports all of them; what cannot be read is
left out, so the cross-checks do not pile follow-on problems on top.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from credo.catalogue.interchange.report import ImportRefused, Problem
from credo.catalogue.interchange.schema import (
    ENTRY_KINDS,
    SCHEMA,
    Choice,
    Codes,
    Constant,
    Day,
    Entry,
    Flag,
    Items,
    Key,
    Record,
    Text,
    Whole,
)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping.

    Plain YAML keeps the last of two equal keys without a word, which would
    silently drop half of an entry someone edited by hand.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is given twice: keep one",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_document(text: str) -> dict[str, Any]:
    """The document in a YAML (or JSON) text; ImportRefused if it cannot be read as one."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        what = "; ".join(part for part in (error.context, error.problem) if part)
        raise ImportRefused([Problem(where, f"this is not valid YAML ({what}): fix the syntax there.")]) from error
    except yaml.YAMLError as error:
        raise ImportRefused([Problem("file", f"this is not valid YAML ({error}).")]) from error
    if document is None:
        raise ImportRefused([Problem("file", "the file is empty: it needs at least format and format_version.")])
    if not isinstance(document, dict):
        raise ImportRefused(
            [Problem("file", f"the file holds {_describe(document)}; it must be a mapping that starts with format.")]
        )
    return document


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return f"a {type(value).__name__}"


def within(location: str, part: str) -> str:
    """The location of a part of the thing at `location`: `units[3] (Y/615/8308) > outcomes`."""
    return f"{location} > {part}" if location else part


def _item_location(location: str, index: int, record: Record, raw: Any) -> str:
    label = record.label(raw) if record.label and isinstance(raw, Mapping) else None
    return f"{location}[{index}]" + (f" ({label})" if label else "")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint for the end of a message, ` (did you mean 'x'?)`, when one of the choices is close to the word."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Located:
    """A top-level entry of the file, with where it is for messages."""

    location: str
    entry: Entry
    # Whether reading found nothing wrong inside it: only a clean entry is compared with the catalogue.
    clean: bool = True


_INVALID = object()


class Reader:
    """Checks shapes and types, and builds canonical entries.

    A canonical entry has every key of its record, in order, defaults filled in:
    exactly what an export writes. A value with a problem is left out of its
    entry (and a list item with a problem becomes None), so the cross-checks
    skip what cannot be judged instead of piling up follow-on problems.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def read_document(self, document: Any) -> dict[str, list[Located]]:
        if not isinstance(document, Mapping):
            self.problem("file", f"the file holds {_describe(document)}; it must be a mapping that starts with format.")
            return {kind: [] for kind in ENTRY_KINDS}
        self._unknown_keys(document, SCHEMA, "")
        for key in SCHEMA.keys:
            if isinstance(key.type, Constant):
                self._value(document, key, "")
        found: dict[str, list[Located]] = {}
        for kind in ENTRY_KINDS:
            record = SCHEMA.key(kind).type
            assert isinstance(record, Items)
            raw = document.get(kind)
            found[kind] = []
            if raw is None:
                continue
            if not isinstance(raw, list):
                self.problem(kind, f"must be a list of {record.record.noun} entries, not {_describe(raw)}.")
                continue
            for index, item in enumerate(raw):
                location = _item_location(kind, index, record.record, item)
                problems_before = len(self.problems)
                entry = self.read_record(item, record.record, location)
                if entry is not None:
                    found[kind].append(Located(location, entry, clean=len(self.problems) == problems_before))
        return found

    def read_record(self, raw: Any, record: Record, location: str) -> Entry | None:
        if not isinstance(raw, Mapping):
            self.problem(location, f"must be a mapping of keys to values (one {record.noun}), not {_describe(raw)}.")
            return None
        self._unknown_keys(raw, record, location)
        entry: Entry = {}
        for key in record.keys:
            value = self._value(raw, key, location)
            if value is not _INVALID:
                entry[key.name] = value
        return entry

    def _unknown_keys(self, raw: Mapping[Any, Any], record: Record, location: str) -> None:
        for name in raw:
            if name not in record.names:
                self.problem(
                    within(location, str(name)),
                    f"unknown key{did_you_mean(str(name), record.names)}: the keys of a {record.noun} are "
                    f"{', '.join(record.names)}.",
                )

    def _value(self, raw: Mapping[Any, Any], key: Key, location: str) -> Any:
        where = within(location, key.name)
        value = raw.get(key.name)
        if value is None and not (key.nullable and key.name in raw):
            if key.required:
                self.problem(where, f"missing: this needs a value ({self._expected(key)}).")
                return _INVALID
            if isinstance(key.type, Items | Codes):
                return []
            return key.default
        if value is None:
            return None
        return self._typed(value, key, where)

    def _expected(self, key: Key) -> str:
        kind = key.type
        if isinstance(kind, Choice):
            return "one of " + ", ".join(kind.values)
        if isinstance(kind, Whole):
            return "a whole number"
        if isinstance(kind, Constant):
            return repr(kind.value)
        if isinstance(kind, Day):
            return "a date, YYYY-MM-DD"
        return "text"

    def _typed(self, value: Any, key: Key, where: str) -> Any:
        kind = key.type
        if isinstance(kind, Text):
            if key.required and isinstance(value, str) and not value.strip():
                self.problem(where, f"is empty: this needs a value ({self._expected(key)}).")
                return _INVALID
            return self._text(value, kind, where)
        if isinstance(kind, Whole):
            return self._whole(value, kind, where)
        if isinstance(kind, Choice):
            if value in kind.values:
                return value
            self.problem(where, f"{_describe(value)} is not allowed here: use one of {', '.join(kind.values)}.")
            return _INVALID
        if isinstance(kind, Flag):
            if isinstance(value, bool):
                return value
            self.problem(where, f"must be true or false, not {_describe(value)}.")
            return _INVALID
        if isinstance(kind, Day):
            return self._day(value, where)
        if isinstance(kind, Constant):
            if type(value) is type(kind.value) and value == kind.value:
                return value
            self.problem(where, f"must be {kind.value!r}, not {_describe(value)}: {kind.why}")
            return _INVALID
        if isinstance(kind, Codes):
            return self._codes(value, kind, where)
        if isinstance(kind, Items):
            return self._items(value, kind.record, where)
        record = self.read_record(value, kind, where)
        return _INVALID if record is None else record

    def _text(self, value: Any, kind: Text, where: str) -> Any:
        if not isinstance(value, str):
            quote = " (put it in quotes, so it is read as text)" if not isinstance(value, list | dict) else ""
            self.problem(where, f"must be text, not {_describe(value)}{quote}.")
            return _INVALID
        if kind.max_length is not None and len(value) > kind.max_length:
            self.problem(where, f"is {len(value)} characters long: at most {kind.max_length} fit here.")
            return _INVALID
        if value and kind.check and (problem := kind.check(value)):
            self.problem(where, problem)
            return _INVALID
        return value

    def _whole(self, value: Any, kind: Whole, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be a whole number, not {_describe(value)}.")
            return _INVALID
        if not kind.minimum <= value <= kind.maximum:
            self.problem(where, f"must be between {kind.minimum} and {kind.maximum}, not {value}.")
            return _INVALID
        return value

    def _day(self, value: Any, where: str) -> Any:
        # YAML reads an unquoted 2024-01-15 as a date, and a quoted one as text: both are fine.
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.problem(where, f"must be a date written YYYY-MM-DD, not {_describe(value)}.")
        return _INVALID

    def _codes(self, value: Any, kind: Codes, where: str) -> Any:
        if not isinstance(value, list):
            self.problem(where, f"must be a list of unit codes, not {_describe(value)}.")
            return _INVALID
        codes: list[str | None] = []
        for index, code in enumerate(value):
            checked = self._text(code, Text(kind.max_length), f"{where}[{index}]")
            codes.append(None if checked is _INVALID or not checked else checked)
            if checked == "":
                self.problem(f"{where}[{index}]", "is empty: give a unit code.")
        return codes

    def _items(self, value: Any, record: Record, where: str) -> Any:
        if not isinstance(value, list):
            self.problem(where, f"must be a list (of {record.noun} entries), not {_describe(value)}.")
            return _INVALID
        return [self.read_record(item, record, _item_location(where, i, record, item)) for i, item in enumerate(value)]


def listed(entry: Entry, name: str) -> list[tuple[int, Entry]]:
    """The valid items of a list key, with their index in the file (the reader leaves an unreadable item as None)."""
    return [(i, item) for i, item in enumerate(entry.get(name, [])) if item is not None]
