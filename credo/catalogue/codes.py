"""Ofqual qualification numbers and unit reference numbers, with their check characters.

Qualification number (QN) `NNN/NNNN/C`: weight the seven digits 8, 7, 6, 5, 4, 3, 2,
sum, and the remainder mod 11 is the check digit C (a remainder of 10 cannot be
a single digit, so no valid QN has one).
Unit reference number (URN) `L/NNN/NNNN`: the same weights and mod 11 over the
seven digits; the remainder indexes the letters A D F H J K L M R T Y.

Each checker returns None for a valid code, or a sentence that says what to fix.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
URN_LETTERS = "ADFHJKLMRTY"
QN_PATTERN = re.compile(r"^(\d{3})/(\d{4})/(\d)$")
URN_PATTERN = re.compile(r"^([A-Z])/(\d{3})/(\d{4})$")
# Codes an organisation gives its own entries outside the Ofqual register (e.g. a micro-credential).
LOCAL_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{1,39}$")


def _remainder(seven_digits: str) -> int:
    return sum(int(digit) * weight for digit, weight in zip(seven_digits, _WEIGHTS, strict=True)) % 11


def qualification_number_problem(code: str) -> str | None:
    match = QN_PATTERN.match(code)
    if not match:
        return (
            f"{code!r} is not an Ofqual qualification number: it must look like 603/1939/2 "
            "(three digits, four digits, one check digit, separated by slashes)."
        )
    digits, check = match.group(1) + match.group(2), int(match.group(3))
    expected = _remainder(digits)
    if expected == 10:
        return (
            f"{code} cannot be an Ofqual qualification number: no check digit fits "
            f"{match.group(1)}/{match.group(2)}. Check for a typo."
        )
    if expected != check:
        return (
            f"{code} fails its check digit (it should end in /{expected}, not /{check}): check the number for a typo."
        )
    return None


def unit_reference_problem(code: str) -> str | None:
    match = URN_PATTERN.match(code)
    if not match:
        return (
            f"{code!r} is not an Ofqual unit reference number: it must look like Y/615/8308 "
            "(a check letter, three digits, four digits, separated by slashes)."
        )
    letter, digits = match.group(1), match.group(2) + match.group(3)
    expected = URN_LETTERS[_remainder(digits)]
    if letter != expected:
        return (
            f"{code} fails its check letter (it should start with {expected}/, not {letter}/): "
            "check the number for a typo."
        )
    return None


def local_code_problem(code: str) -> str | None:
    if not LOCAL_CODE_PATTERN.match(code):
        return (
            f"{code!r} is not a valid code: use 2 to 40 capital letters, digits, dots or hyphens, "
            "starting with a letter or digit (for example CLD-FAC-5)."
        )
    return None


def code_slug(code: str) -> str:
    """A URL-safe form of a code: 603/1939/2 -> 603-1939-2, Y/615/8308 -> y-615-8308."""
    return code.replace("/", "-").lower()


def validate_qualification_number(code: str) -> None:
    if problem := qualification_number_problem(code):
        raise ValidationError(problem, code="invalid_qn")


def validate_unit_reference(code: str) -> None:
    if problem := unit_reference_problem(code):
        raise ValidationError(problem, code="invalid_urn")
