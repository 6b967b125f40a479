"""What assessment contributes to the rest of credo (dashboard panels, periodic work, background jobs), one
function per stage, called from ``AssessmentConfig.ready``."""

from __future__ import annotations


def connect() -> None:
    _assessing()
    _moderation()
    _ratification()
    _claims()
    _pipeline()


def _assessing() -> None:
    """Assessors' queue on the dashboard."""
    from credo.assessment.panels_assessing import contribute
    from credo.core import panels

    panels.register(contribute)


def _moderation() -> None:
    """Moderators' samples and learners' outcomes on the dashboard; the assessor's feedback beside each section of
    the learner's portfolio; the IQA records built as jobs."""
    from credo.assessment import panels_moderation
    from credo.assessment.services import moderation_records
    from credo.core import jobs, panels
    from credo.portfolios import feedback

    panels.register(panels_moderation.contribute)
    feedback.register(panels_moderation.section_feedback)
    jobs.register(moderation_records.KIND, moderation_records.run_record)


def _ratification() -> None:
    """Ratifiers' batches on the dashboard; the ratification job."""
    from credo.assessment import panels_ratification
    from credo.assessment.services import ratification
    from credo.core import panels

    ratification.register()
    panels.register(panels_ratification.contribute)


def _claims() -> None:
    """Claims, EQA and certification on the dashboard; the certification job."""
    from credo.assessment import panels_claims
    from credo.assessment.services import eqa
    from credo.core import jobs, panels

    jobs.register(eqa.CERTIFY_CLAIM, eqa.certify_claim_job)
    panels.register(panels_claims.contribute)


def _pipeline() -> None:
    """The provider's pipeline on the dashboard of its programme admins, internal quality assurers and assessors."""
    from credo.assessment.panels_pipeline import contribute
    from credo.core import panels

    panels.register(contribute)
