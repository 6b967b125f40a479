"""Words written against a section's suggested length, and whether a portfolio can be changed now, in words for
the learner: the pages and the API say the same."""

from __future__ import annotations

from dataclasses import dataclass

from credo.portfolios.models import Portfolio, PortfolioSection
from credo.programmes.models import EnrolmentState


@dataclass(frozen=True)
class Length:
    """Words written against a section's suggested length, in words for the learner."""

    words: int
    suggested: str
    status: str  # "", "under", "within", "over"

    @property
    def summary(self) -> str:
        written = f"{self.words:,} word{'' if self.words == 1 else 's'} written"
        if not self.suggested:
            return written
        note = {"under": "below the suggested length", "within": "within it", "over": "over the suggested length"}
        return f"{written}; suggested {self.suggested} ({note[self.status]})"


def length_of(words: int, min_words: int | None, max_words: int | None, suggested: str) -> Length:
    if min_words is not None and words < min_words:
        status = "under"
    elif max_words is not None and words > max_words:
        status = "over"
    else:
        status = "within" if suggested else ""
    return Length(words=words, suggested=suggested, status=status)


def section_length(section: PortfolioSection, words: int) -> Length:
    return length_of(words, section.min_words, section.max_words, section.suggested_length())


def is_editable(portfolio: Portfolio) -> bool:
    """Whether the learner may change it now (the services say why not, if they try anyway)."""
    return portfolio.is_open and portfolio.enrolment.state == EnrolmentState.ACTIVE
