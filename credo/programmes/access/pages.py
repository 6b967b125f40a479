"""Loaders for a programme's page sections, testimonials, information sessions and resources.

Set-up pages are for the provider's programme admins (``access.setup``). Sign-ups and resources are also for the
programme's facilitators. A resource is read by those and by learners whose place in one of the programme's cohorts
is confirmed or active. Anyone else with a role at the provider is told why (403); everyone else learns nothing (404).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.programmes.access.public import public_programme
from credo.programmes.access.setup import programme_for_setup
from credo.programmes.models import Enrolment, InformationSession, Programme, Resource, Testimonial
from credo.programmes.services import pages


def _refuse(user: Any, programme: Programme, reason: str) -> None:
    """403 for the provider's staff, who know the programme exists; 404 for anyone else (learners included)."""
    if getattr(user, "is_authenticated", False) and roles_in(user, programme.provider) - {Role.LEARNER}:
        raise PermissionDenied(reason)
    raise Http404("Not found.")


def testimonial_for_setup(user: Any, provider: str, programme: str, pk: int) -> Testimonial:
    found = programme_for_setup(user, provider, programme)
    testimonial = Testimonial.objects.select_related("programme__provider").filter(programme=found, pk=pk).first()
    if testimonial is None:
        raise Http404("No such testimonial.")
    return testimonial


def information_session_for_setup(user: Any, provider: str, programme: str, public_id: UUID) -> InformationSession:
    found = programme_for_setup(user, provider, programme)
    session = (
        InformationSession.objects.select_related("programme__provider")
        .filter(programme=found, public_id=public_id)
        .first()
    )
    if session is None:
        raise Http404("No such information session.")
    return session


def public_information_session(public_id: UUID) -> InformationSession:
    session = InformationSession.objects.select_related("programme__provider").filter(public_id=public_id).first()
    if session is None:
        raise Http404("No such information session.")
    return session


def information_session_for_staff(user: Any, public_id: UUID) -> InformationSession:
    """Who signed up is for the programme's admins and facilitators."""
    session = public_information_session(public_id)
    if not pages.is_programme_staff(user, session.programme):
        _refuse(user, session.programme, "Who signed up is for the programme's facilitators and programme admins.")
    return session


def programme_for_resource_staff(user: Any, provider: str, programme: str) -> Programme:
    found = public_programme(provider, programme)
    if not pages.is_programme_staff(user, found):
        _refuse(user, found, "Only the programme's facilitators and programme admins look after its resources.")
    return found


def programme_for_resource_readers(user: Any, provider: str, programme: str) -> Programme:
    found = public_programme(provider, programme)
    if not (pages.is_programme_staff(user, found) or pages.is_enrolled_reader(user, found)):
        _refuse(user, found, "The programme's resources are for its enrolled learners, facilitators and admins.")
    return found


def _resource(public_id: UUID) -> Resource:
    resource = (
        Resource.objects.select_related("programme__provider", "workshop__cohort").filter(public_id=public_id).first()
    )
    if resource is None:
        raise Http404("No such resource.")
    return resource


def resource_for_reader(user: Any, public_id: UUID) -> Resource:
    """A resource for enrolled learners (confirmed or active) of its programme, its facilitators and admins."""
    resource = _resource(public_id)
    if not (pages.is_programme_staff(user, resource.programme) or pages.is_enrolled_reader(user, resource.programme)):
        _refuse(user, resource.programme, "The programme's resources are for its enrolled learners and staff.")
    return resource


def resource_for_staff(user: Any, public_id: UUID) -> Resource:
    resource = _resource(public_id)
    if not pages.is_programme_staff(user, resource.programme):
        _refuse(user, resource.programme, "Only the programme's facilitators and programme admins remove resources.")
    return resource


def own_enrolment_reading(user: Any, pk: int) -> Enrolment:
    """The signed-in learner's own enrolment, for its resources page (what it may read depends on its state)."""
    enrolment = (
        Enrolment.objects.select_related("cohort__programme__provider")
        .filter(pk=pk, learner_id=getattr(user, "pk", None))
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment
