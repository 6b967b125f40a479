"""``{% cohort_staff_nav cohort %}``: the cohort's staff sub-menu on pages whose views do not say whether the viewer is
a programme admin (check-ins, questions); a facilitator sees only the pages open to them."""

from __future__ import annotations

from typing import Any

from django import template

from credo.programmes.access.common import is_programme_admin

register = template.Library()


@register.inclusion_tag("programmes/staff/_nav.html", takes_context=True)
def cohort_staff_nav(context: Any, cohort: Any) -> dict[str, Any]:
    request = context["request"]
    return {"cohort": cohort, "request": request, "facilitator_only": not is_programme_admin(request.user, cohort)}
