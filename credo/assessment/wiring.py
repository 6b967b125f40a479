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


def _moderation() -> None:
    """Moderators' samples and learners' outcomes on the dashboard."""


def _ratification() -> None:
    """Ratifiers' batches on the dashboard; the ratification job."""
    from credo.assessment import panels_ratification
    from credo.assessment.services import ratification
    from credo.core import panels

    ratification.register()
    panels.register(panels_ratification.contribute)


def _claims() -> None:
    """Claims, EQA and certification on the dashboard; the certification job."""
