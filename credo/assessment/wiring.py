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


def _moderation() -> None:
    """Moderators' samples and learners' outcomes on the dashboard."""


def _ratification() -> None:
    """Ratifiers' batches on the dashboard; the ratification job."""


def _claims() -> None:
    """Claims, EQA and certification on the dashboard; the certification job."""


def _pipeline() -> None:
    """The provider's pipeline on the dashboard of its programme admins, internal quality assurers and assessors."""
    from credo.assessment.panels_pipeline import contribute
    from credo.core import panels

    panels.register(contribute)
