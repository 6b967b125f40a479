"""The dashboard card of the viewer's background work: what is still running, and what finished lately."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from credo.core import access, panels
from credo.core.models import JobState

#: Finished work stays on the dashboard this long; the full list is one link away.
RECENT = datetime.timedelta(days=2)
SHOWN = 5


def contribute(viewer: panels.Viewer) -> Iterable[panels.Panel]:
    recent = Q(finished_at__gte=timezone.now() - RECENT) | Q(state__in=(JobState.QUEUED, JobState.RUNNING))
    shown = list(access.jobs_of(viewer.user).filter(recent).order_by("-created_at", "-pk")[:SHOWN])
    if not shown:
        return []
    return [
        panels.Panel(
            key=("jobs",),
            heading="Your background work",
            order=panels.STAFF - 1,
            links=(panels.Link("All your background work", reverse("jobs")),),
            template="core/jobs/_panel.html",
            context={"jobs": shown},
        )
    ]
