"""Learners studying in a cohort, built through the programmes' and catalogue's own services."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from credo.accounts.models import Organisation
from credo.catalogue import services as catalogue
from credo.catalogue.models import EvidenceKind, GroupKind, Qualification, QualificationKind
from credo.catalogue.services import CriterionSpec, OutcomeSpec
from credo.catalogue.tests.builders import make_qualification, make_unit
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import enrolments
from credo.programmes.tests.builders import cld_programme, cohort_2024
from credo.programmes.tests.support_builders import enrol

# The smallest well-formed file of each kind the tests upload.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def cld_with_template(actor: Any, owner: Organisation) -> Qualification:
    """A micro-credential whose template has two sections, the first asking for an attestation."""
    draft = make_qualification(actor, owner, "7000077", "CLD facilitation (test)", QualificationKind.MICRO_CREDENTIAL)
    catalogue.set_competencies(actor=actor, qualification=draft, competencies=[("1", "Facilitate CLD")])
    first = catalogue.add_template_section(
        actor=actor,
        qualification=draft,
        title="Your CLD case study",
        guidance="Tell the story of one piece of work.",
        min_words=1500,
        max_words=2500,
    )
    catalogue.add_evidence_requirement(
        actor=actor,
        section=first,
        kind=EvidenceKind.ATTESTATION,
        description="An attestation from a participant",
        attestor_relationship="a participant",
    )
    catalogue.add_template_section(actor=actor, qualification=draft, title="Critical reflection")
    return catalogue.publish_qualification(actor=actor, qualification=draft)


def seg_award(actor: Any, owner: Organisation) -> Qualification:
    """An award of two units with outcomes and criteria, and no portfolio template."""
    units = [make_unit(actor, owner, f"70009{n:02d}", f"Organising unit {n}") for n in (1, 2)]
    for n, unit in enumerate(units, start=1):
        catalogue.set_unit_outcomes(
            actor=actor,
            unit=unit,
            outcomes=[
                OutcomeSpec(
                    number=1,
                    text=f"Understand organising {n}",
                    criteria=(CriterionSpec("1.1", "Describe it"), CriterionSpec("1.2", "Explain it")),
                )
            ],
        )
    award = make_qualification(actor, owner, "7000009", "Organising Award (test)")
    group = catalogue.add_rule_group(actor=actor, qualification=award, name="Mandatory", kind=GroupKind.MANDATORY)
    for unit in units:
        catalogue.add_unit_to_group(actor=actor, group=group, unit=unit)
    return catalogue.publish_qualification(actor=actor, qualification=award)


def cohort_of(admin: Any, provider: Organisation, qualification: Qualification, slug: str) -> Cohort:
    return cohort_2024(admin, cld_programme(admin, provider, qualification, slug))


def studying(cohort: Cohort, admin: Any, email: str, full_name: str = "A learner") -> Enrolment:
    enrolment = enrol(cohort, email, full_name)
    enrolment = enrolments.confirm(enrolment, actor=admin, reason="Paid")
    return enrolments.activate(enrolment, actor=admin)


def upload(content: bytes, name: str = "agenda.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
