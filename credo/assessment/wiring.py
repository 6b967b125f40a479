"""What assessment contributes to the rest of credo (dashboard panels, periodic work, background jobs), one
function per stage, called from ``AssessmentConfig.ready``."""

from __future__ import annotations


def connect() -> None:
    _assessing()
    _moderation()
    _ratification()
    _claims()


def _assessing() -> None:
    """Assessors' queue on the dashboard."""
    from credo.assessment.panels_assessing import contribute
    from credo.core import panels

    panels.register(contribute)


def _moderation() -> None:
    """Moderators' samples and learners' outcomes on the dashboard."""


def _ratification() -> None:
    """Ratifiers' batches on the dashboard; the ratification job."""


def _claims() -> None:
    """Claims, EQA and certification on the dashboard; the certification job."""
