"""Formative comments on a section of a learner's portfolio: help while they build it, never an assessment decision.

The cohort's facilitators and the provider's programme admins write them, in plain text; the learner reads them beside
the section and is told by email. A comment is removed only by its author. Each is audited.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from credo.core.tasks import send_email
from credo.portfolios.access import may_comment
from credo.portfolios.models import PortfolioSection, SectionComment
from credo.portfolios.services.common import audit, lock_portfolio, lock_section

COMMENT_MAX = 4000  # characters: a few paragraphs; longer help belongs in a check-in


def clean_body(body: str) -> str:
    """Plain text as typed, with control characters other than line breaks and tabs taken out."""
    text = "".join(
        ch for ch in body.replace("\r\n", "\n").replace("\r", "\n") if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    ).strip()
    if not text:
        raise ValidationError({"body": "Write your comment."})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            {"body": f"Shorten your comment to {COMMENT_MAX:,} characters or fewer (it has {len(text):,})."}
        )
    return text


@transaction.atomic
def comment_on_section(*, section: PortfolioSection, actor: Any, body: str) -> SectionComment:
    """Leave a comment on a section; the learner is emailed once it has committed.

    Takes the portfolio's lock: a portfolio being submitted at the same moment is either still open (the comment is
    made first) or submitted (the comment is refused), never half of each.
    """
    section = lock_section(section)
    portfolio = section.portfolio
    if not may_comment(actor, portfolio.enrolment):
        raise PermissionDenied("Only the cohort's facilitators and the provider's programme admins can comment.")
    if not portfolio.is_open:
        raise ValidationError(
            "This portfolio has been submitted, so it is with the assessors now: a comment would read as part of the "
            "assessment. Use a check-in or email to talk with the learner."
        )
    comment = SectionComment.objects.create(section=section, author=actor, body=clean_body(body))
    audit(actor, "comment_added", comment, portfolio, section=section.position, body=comment.body)
    _tell_learner(comment)
    return comment


@transaction.atomic
def remove_comment(*, comment: SectionComment, actor: Any) -> None:
    """Remove a comment; only the person who wrote it can."""
    portfolio = lock_portfolio(comment.section.portfolio_id)
    locked = SectionComment.objects.filter(pk=comment.pk).select_related("section").first()
    if locked is None:
        raise ValidationError("That comment has already been removed.")
    if getattr(actor, "pk", None) != locked.author_id:
        raise PermissionDenied("Only the person who wrote a comment can remove it.")
    audit(actor, "comment_removed", locked, portfolio, section=locked.section.position, body=locked.body)
    locked.delete()


def _tell_learner(comment: SectionComment) -> None:
    section = comment.section
    enrolment = section.portfolio.enrolment
    learner = enrolment.learner
    author = comment.author.full_name or comment.author.email
    body = "\n".join(
        [
            f"Kia ora {learner.full_name or learner.email},",
            "",
            f"{author} left a comment on “{section.title}” in your portfolio for {enrolment.cohort.programme.name}:",
            "",
            comment.body,
            "",
            "This comment is to help you build your portfolio. It is not an assessment decision: your portfolio is "
            "assessed only after you submit it.",
            "",
            "Sign in to read it beside your work: "
            + str(settings.SITE_URL).rstrip("/")
            + reverse("portfolios:learner-section", args=[enrolment.pk, section.position]),
        ]
    )
    to, subject = learner.email, f"A comment on your portfolio: {section.title}"
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )
