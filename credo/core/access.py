"""Who may see a background job: the person who started it, and nobody else (everyone else gets a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from credo.core.models import Job


def jobs_of(user: Any) -> QuerySet[Job]:
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(started_by=user)


def job_for_owner(user: Any, public_id: Any) -> Job:
    job = jobs_of(user).filter(public_id=public_id).first()
    if job is None:
        raise Http404("No such job.")
    return job
