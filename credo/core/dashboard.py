"""What each role sees first. One panel per membership; later issues add to each role's panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from credo.accounts.models import Membership, Organisation, OrganisationKind, Role
from credo.catalogue.models import CentreApproval, Qualification, Status
from credo.catalogue.services import CATALOGUE_OWNER_KINDS
from credo.credentials.access import ISSUING_KINDS
from credo.credentials.models import Issuer
from credo.programmes.models import Cohort


@dataclass
class Link:
    label: str
    url: str


@dataclass
class RolePanel:
    organisation: Organisation
    role: str
    role_label: str
    intro: str
    links: list[Link] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    items_heading: str = ""
    cohorts: list[tuple[str, list[Link]]] = field(default_factory=list)


_INTROS = {
    Role.PROGRAMME_ADMIN: (
        "Set up programmes and staff; for an awarding body or issuing institution, keep the catalogue."
    ),
    Role.FACILITATOR: "Run workshops and 1:1 check-ins, answer questions and watch progress.",
    Role.ASSESSOR: "Judge submissions against the criteria and give feedback.",
    Role.INTERNAL_QA: "Sample assessments and agree or refer them back.",
    Role.EXTERNAL_QA: "Read a centre's sample, record findings, release or block certification.",
    Role.RATIFIER: "Ratify moderated batches, which issues the credentials.",
    Role.LEARNER: "Build your portfolio, submit it, and receive your credential.",
}


def _approved_qualifications(organisation: Organisation) -> list[Qualification]:
    codes = CentreApproval.objects.filter(centre=organisation).values("qualification_code")
    return list(Qualification.objects.filter(code__in=codes, status=Status.LIVE).select_related("level"))


def _cohorts(*, provider: Organisation, facilitator: Any = None) -> list[Cohort]:
    cohorts = Cohort.objects.filter(programme__provider=provider).select_related("programme__provider")
    if facilitator is not None:
        cohorts = cohorts.filter(facilitators=facilitator)
    return list(cohorts.order_by("-study_starts"))


def _staff_cohort_links(cohort: Cohort) -> tuple[str, list[Link]]:
    key = {"public_id": cohort.public_id}
    return str(cohort), [
        Link("Dashboard", reverse("programmes:staff_dashboard", kwargs=key)),
        Link("Enrolments", reverse("programmes:staff_enrolments", kwargs=key)),
        Link("Workshops", reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})),
        Link("Check-ins", reverse("programmes:checkins-staff", kwargs=key)),
        Link("Questions", reverse("programmes:support-inbox", kwargs=key)),
    ]


def _facilitator_cohort_links(cohort: Cohort) -> tuple[str, list[Link]]:
    key = {"public_id": cohort.public_id}
    return str(cohort), [
        Link("Progress", reverse("programmes:staff_dashboard", kwargs=key)),
        Link("Workshops and attendance", reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})),
        Link("Check-ins", reverse("programmes:checkins-staff", kwargs=key)),
        Link("Questions", reverse("programmes:support-inbox", kwargs=key)),
    ]


def panels_for(user: Any) -> list[RolePanel]:
    memberships = Membership.objects.for_user(user).select_related("organisation")
    panels: list[RolePanel] = []
    issuing = set(Issuer.objects.filter(organisation__memberships__user=user).values_list("organisation_id", flat=True))
    for membership in memberships:
        org = membership.organisation
        role = Role(membership.role)
        panel = RolePanel(org, role.value, role.label, _INTROS[role])
        if role == Role.PROGRAMME_ADMIN:
            panel.links.append(Link("Members and roles", reverse("accounts:members", kwargs={"slug": org.slug})))
            if org.kind in CATALOGUE_OWNER_KINDS:
                panel.links.append(
                    Link("New qualification", reverse("catalogue:qualification_create", kwargs={"owner": org.slug}))
                )
                panel.links.append(Link("New unit", reverse("catalogue:unit_create", kwargs={"owner": org.slug})))
                panel.items_heading = "Your catalogue"
                panel.items = list(
                    Qualification.objects.filter(owner=org).select_related("level").order_by("code", "-version")
                )
        if role in (Role.PROGRAMME_ADMIN, Role.RATIFIER) and org.pk in issuing:
            panel.links.append(Link("Issue credentials", reverse("issuing:home", kwargs={"slug": org.slug})))
        elif role == Role.PROGRAMME_ADMIN and org.kind in ISSUING_KINDS:
            panel.links.append(Link("Set up credential issuing", reverse("issuing:setup", kwargs={"slug": org.slug})))
        if org.kind not in CATALOGUE_OWNER_KINDS and role != Role.LEARNER and not panel.items:
            panel.items_heading = "Approved to deliver"
            panel.items = _approved_qualifications(org)
        if role == Role.PROGRAMME_ADMIN and org.kind == OrganisationKind.PROVIDER:
            panel.cohorts = [_staff_cohort_links(cohort) for cohort in _cohorts(provider=org)]
            panel.links.append(Link("Programmes and cohorts", reverse("programmes:setup_home", args=[org.slug])))
        if role == Role.FACILITATOR:
            panel.cohorts = [_facilitator_cohort_links(cohort) for cohort in _cohorts(provider=org, facilitator=user)]
        if role == Role.LEARNER:
            panel.links.append(Link("My programmes", reverse("programmes:my-enrolments")))
            panel.links.append(Link("Check your progression", reverse("catalogue:progression")))
            panel.items_heading = "Offered here"
            panel.items = _approved_qualifications(org)
        panels.append(panel)
    return panels
