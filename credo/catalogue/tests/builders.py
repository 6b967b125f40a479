"""Build small catalogues through the services, as an awarding body's admin would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credo.accounts.models import Organisation
from credo.catalogue import services
from credo.catalogue.codes import URN_LETTERS, _remainder
from credo.catalogue.models import CodeScheme, Framework, GroupKind, Level, Qualification, QualificationKind, Unit


def qn(seven_digits: str) -> str:
    """A valid Ofqual qualification number for these digits (must not need check digit 10)."""
    check = _remainder(seven_digits)
    assert check != 10, f"{seven_digits} has no valid check digit"
    return f"{seven_digits[:3]}/{seven_digits[3:]}/{check}"


def urn(seven_digits: str) -> str:
    return f"{URN_LETTERS[_remainder(seven_digits)]}/{seven_digits[:3]}/{seven_digits[3:]}"


def rqf() -> Framework:
    framework, _ = Framework.objects.get_or_create(
        code="RQF",
        defaults={"name": "Regulated Qualifications Framework", "country": "GB", "code_scheme": CodeScheme.OFQUAL},
    )
    for number in range(1, 9):
        Level.objects.get_or_create(framework=framework, number=number, defaults={"name": f"Level {number}"})
    return framework


def level(framework: Framework, number: int) -> Level:
    return Level.objects.get(framework=framework, number=number)


@dataclass
class SmallCatalogue:
    """An Award of three units that all count toward a Certificate of five (plus an optional group)."""

    award: Qualification
    certificate: Qualification
    shared_units: list[Unit]
    certificate_only_units: list[Unit]
    optional_units: list[Unit]


def make_unit(actor: Any, owner: Organisation, digits: str, title: str, credits: int | None = 5) -> Unit:
    framework = rqf()
    return services.create_unit(
        actor=actor,
        owner=owner,
        code=urn(digits),
        title=title,
        framework=framework,
        level=level(framework, 3),
        credits=credits,
    )


def make_qualification(
    actor: Any, owner: Organisation, digits: str, title: str, kind: str = QualificationKind.AWARD
) -> Qualification:
    framework = rqf()
    return services.create_qualification(
        actor=actor,
        owner=owner,
        code=qn(digits),
        title=title,
        kind=kind,
        framework=framework,
        level=level(framework, 3),
    )


def build_small_catalogue(actor: Any, owner: Organisation, *, publish: bool = True) -> SmallCatalogue:
    shared = [make_unit(actor, owner, f"70000{n:02d}", f"Shared unit {n}") for n in range(1, 4)]
    cert_only = [make_unit(actor, owner, f"70001{n:02d}", f"Certificate unit {n}") for n in range(1, 3)]
    optional = [make_unit(actor, owner, f"70002{n:02d}", f"Optional unit {n}") for n in range(1, 4)]
    award = make_qualification(actor, owner, "7000001", "Test Level 3 Award")
    group = services.add_rule_group(actor=actor, qualification=award, name="Mandatory units", kind=GroupKind.MANDATORY)
    for unit in shared:
        services.add_unit_to_group(actor=actor, group=group, unit=unit)
    certificate = make_qualification(actor, owner, "7000003", "Test Level 3 Certificate", QualificationKind.CERTIFICATE)
    mandatory = services.add_rule_group(
        actor=actor, qualification=certificate, name="Mandatory units", kind=GroupKind.MANDATORY
    )
    for unit in shared + cert_only:
        services.add_unit_to_group(actor=actor, group=mandatory, unit=unit)
    options = services.add_rule_group(
        actor=actor, qualification=certificate, name="Optional units", kind=GroupKind.OPTIONAL, min_units=2
    )
    for unit in optional:
        services.add_unit_to_group(actor=actor, group=options, unit=unit)
    if publish:
        award = services.publish_qualification(actor=actor, qualification=award)
        certificate = services.publish_qualification(actor=actor, qualification=certificate)
    return SmallCatalogue(award, certificate, shared, cert_only, optional)
