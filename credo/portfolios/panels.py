"""What portfolios puts on a cohort's staff dashboard (``programmes.cohort_panels``): how many learners have started
their portfolio and submitted it, with the way to the progress list. Registered in ``PortfoliosConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from credo.portfolios.services.progress import cohort_summary
from credo.programmes.cohort_panels import CohortPanel
from credo.programmes.models import Cohort


def cohort_portfolios(cohort: Cohort, viewer: Any) -> list[CohortPanel]:
    """One query: the dashboard is open to the cohort's facilitators and admins, who may all follow its portfolios."""
    summary = cohort_summary(cohort)
    url = reverse("portfolios:cohort_progress", kwargs={"public_id": cohort.public_id})
    return [
        CohortPanel(
            heading="Portfolios",
            template="portfolios/staff/_cohort_panel.html",
            context={"summary": summary, "url": url},
        )
    ]
