"""Template tags for a programme's page: the resources a learner's study page shows (owned by another template)."""

from __future__ import annotations

from django import template

from credo.programmes.models import Enrolment, Resource
from credo.programmes.services import pages

register = template.Library()

#: The study page shows the newest few; the resources page lists them all, by kind.
ON_STUDY_PAGE = 8


@register.simple_tag
def learner_resources(enrolment: Enrolment) -> list[Resource]:
    """The first resources the learner may read (none before their place is confirmed); one query."""
    if enrolment.state not in pages.READS_RESOURCES:
        return []
    return list(pages.resources_for_learners(enrolment.cohort.programme, cohort=enrolment.cohort)[:ON_STUDY_PAGE])
