"""``{% comments_on section as comments %}``: the formative comments on a section, for the learner's section page
(``portfolios/staff/_comments_for_learner.html`` uses it), oldest first, with their authors, in one query."""

from __future__ import annotations

from django import template

from credo.portfolios.models import PortfolioSection, SectionComment

register = template.Library()


@register.simple_tag
def comments_on(section: PortfolioSection) -> list[SectionComment]:
    return list(SectionComment.objects.filter(section=section).select_related("author").order_by("created_at", "id"))
