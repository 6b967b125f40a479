"""Template helpers for the submission area: where a portfolio stands on submission, and a hash people can read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template

from credo.portfolios.models import Portfolio, Submission
from credo.portfolios.services import submissions

register = template.Library()


@dataclass(frozen=True)
class SubmissionStatus:
    portfolio: Portfolio
    attempt: int
    attempts_allowed: int
    deadline: datetime.datetime
    deadline_passed: bool
    is_open: bool
    extended: bool
    submitted: list[Submission]


@register.simple_tag
def submission_status(portfolio: Portfolio) -> SubmissionStatus:
    """What _status.html shows, in four queries: the deadline (with any extension) and the attempts submitted."""
    deadline = submissions.effective_deadline(portfolio)
    return SubmissionStatus(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        attempts_allowed=submissions.attempts_allowed(portfolio),
        deadline=deadline,
        deadline_passed=submissions.is_past(deadline),
        is_open=portfolio.is_open,
        extended=submissions.latest_extension(portfolio) is not None,
        submitted=list(portfolio.submissions.order_by("attempt").defer("manifest")),
    )


@register.filter
def fingerprint(sha256: str) -> str:
    """A SHA-256 in groups of eight, so that a person can compare it by eye and it wraps on a narrow screen."""
    return " ".join(sha256[i : i + 8] for i in range(0, len(sha256), 8))
