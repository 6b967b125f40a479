import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from credo.catalogue.codes import (
    URN_LETTERS,
    _remainder,
    code_slug,
    local_code_problem,
    qualification_number_problem,
    unit_reference_problem,
    validate_qualification_number,
    validate_unit_reference,
)

SEED_QUALIFICATIONS = ["603/1939/2", "603/1941/0", "603/1942/2"]
SEED_UNITS = [
    "Y/615/8308", "J/615/8319", "F/615/8321", "J/615/8322", "D/615/8309", "L/615/8323",
    "F/615/8318", "L/615/8306", "A/615/8320", "T/615/8316", "R/615/8310", "Y/615/8325",
]  # fmt: skip


@pytest.mark.parametrize("code", SEED_QUALIFICATIONS)
def test_it_accepts_the_seed_qualification_numbers(code: str) -> None:
    assert qualification_number_problem(code) is None
    validate_qualification_number(code)


@pytest.mark.parametrize("code", SEED_UNITS)
def test_it_accepts_the_seed_unit_reference_numbers(code: str) -> None:
    assert unit_reference_problem(code) is None
    validate_unit_reference(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("603/1939/3", "fails its check digit (it should end in /2, not /3)"),
        ("603/1941/1", "it should end in /0, not /1"),
        ("603/1939/22", "must look like 603/1939/2"),
        ("6031939/2", "must look like 603/1939/2"),
        ("603-1939-2", "must look like 603/1939/2"),
        ("", "must look like 603/1939/2"),
        ("abc/defg/h", "must look like 603/1939/2"),
        (" 603/1939/2", "must look like 603/1939/2"),
    ],
)
def test_it_rejects_bad_qualification_numbers_saying_why(code: str, expected: str) -> None:
    problem = qualification_number_problem(code)
    assert problem is not None
    assert expected in problem
    with pytest.raises(ValidationError):
        validate_qualification_number(code)


def test_it_rejects_a_qualification_number_whose_digits_have_no_check_digit() -> None:
    # About one digit string in eleven has remainder 10, which no single check digit can express.
    digits = next(f"{n:07d}" for n in range(6_000_000, 6_100_000) if _remainder(f"{n:07d}") == 10)
    problem = qualification_number_problem(f"{digits[:3]}/{digits[3:]}/0")
    assert problem is not None
    assert "no check digit fits" in problem


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("A/615/8308", "it should start with Y/, not A/"),
        ("Y/615/8309", "fails its check letter"),
        ("B/615/8308", "fails its check letter"),
        ("y/615/8308", "must look like Y/615/8308"),
        ("Y/6158/308", "must look like Y/615/8308"),
        ("Y6158308", "must look like Y/615/8308"),
        ("603/1939/2", "must look like Y/615/8308"),
    ],
)
def test_it_rejects_bad_unit_reference_numbers_saying_why(code: str, expected: str) -> None:
    problem = unit_reference_problem(code)
    assert problem is not None
    assert expected in problem
    with pytest.raises(ValidationError):
        validate_unit_reference(code)


@pytest.mark.parametrize(
    ("code", "valid"),
    [("CLD-FACILITATION", True), ("MC.5-01", True), ("x", False), ("has space", False), ("-LEAD", False)],
)
def test_local_codes_are_capitals_digits_dots_and_hyphens(code: str, valid: bool) -> None:
    assert (local_code_problem(code) is None) is valid


def test_slugs_are_url_safe_forms_of_codes() -> None:
    assert code_slug("603/1939/2") == "603-1939-2"
    assert code_slug("Y/615/8308") == "y-615-8308"


seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


@given(seven_digits)
def test_exactly_one_check_letter_makes_a_valid_unit_reference(digits: str) -> None:
    valid = [letter for letter in URN_LETTERS if unit_reference_problem(f"{letter}/{digits[:3]}/{digits[3:]}") is None]
    assert valid == [URN_LETTERS[_remainder(digits)]]


@given(seven_digits)
def test_at_most_one_check_digit_makes_a_valid_qualification_number(digits: str) -> None:
    valid = [d for d in "0123456789" if qualification_number_problem(f"{digits[:3]}/{digits[3:]}/{d}") is None]
    assert valid == ([] if _remainder(digits) == 10 else [str(_remainder(digits))])


@given(seven_digits, st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=9))
def test_a_single_mistyped_digit_is_always_caught(digits: str, position: int, change: int) -> None:
    """Weights 8..2 are all non-zero mod 11, so changing any one digit changes the remainder."""
    good = f"{URN_LETTERS[_remainder(digits)]}/{digits[:3]}/{digits[3:]}"
    mistyped_digits = digits[:position] + str((int(digits[position]) + change) % 10) + digits[position + 1 :]
    mistyped = f"{good[0]}/{mistyped_digits[:3]}/{mistyped_digits[3:]}"
    assert unit_reference_problem(mistyped) is not None
