"""A programme's page beyond its facts: sections its admins write, what the fee includes (from the cohort), what the
portfolio needs (from the catalogue's template), testimonials, information sessions, and learners' resources.

Writes are here, each checking the actor's role again and audited: a testimonial's consent and its withdrawal are
decisions someone will later ask about. Reads that pages and the API share are here too, each in a fixed number of
queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.audit.services import record_event
from credo.catalogue.models import PortfolioTemplate
from credo.programmes.models import (
    Cohort,
    EnrolmentState,
    InformationSession,
    InformationSessionSignUp,
    Programme,
    ProgrammePage,
    Resource,
    Session,
    SupportKind,
    Testimonial,
)
from credo.programmes.services.cohorts import local_moment, registration_window, zone
from credo.programmes.services.enrolments import HOLDING_A_PLACE
from credo.programmes.services.workshops import span as workshop_span
from credo.programmes.services.workshops import viewer_zone

#: Enrolled learners who may read a programme's resources: their place is confirmed (paid, invoiced or funded).
READS_RESOURCES = (EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE)
#: Large enough for slides and a reading; recordings are links to where they are hosted.
LARGEST_FILE = 25 * 1024 * 1024
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(number: int) -> str:
    return _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)


# Who may do what ----------------------------------------------------------------------------------------------------


def is_page_admin(user: Any, programme: Programme) -> bool:
    return Role.PROGRAMME_ADMIN in roles_in(user, programme.provider)


def is_programme_facilitator(user: Any, programme: Programme) -> bool:
    """Named on one of the programme's cohorts, and still a facilitator at its provider."""
    if not getattr(user, "is_authenticated", False):
        return False
    named = Cohort.objects.filter(programme=programme, facilitators=user).exists()
    return named and Role.FACILITATOR in roles_in(user, programme.provider)


def is_programme_staff(user: Any, programme: Programme) -> bool:
    return is_page_admin(user, programme) or is_programme_facilitator(user, programme)


def is_enrolled_reader(user: Any, programme: Programme) -> bool:
    """A learner whose place in one of the programme's cohorts is confirmed or active."""
    if not getattr(user, "is_authenticated", False):
        return False
    return programme.cohorts.filter(enrolments__learner=user, enrolments__state__in=READS_RESOURCES).exists()


def _require_admin(actor: Any, programme: Programme) -> None:
    if not is_page_admin(actor, programme):
        raise PermissionDenied(f"Only {programme.provider}'s programme admins change {programme.name}'s page.")


def _require_staff(actor: Any, programme: Programme) -> None:
    if not is_programme_staff(actor, programme):
        raise PermissionDenied("Only the programme's facilitators and programme admins change its resources.")


def _audit(actor: Any, action: str, obj: Any, programme: Programme, **details: Any) -> None:
    record_event(
        actor=actor, action=f"programmes.{action}", obj=obj, organisation_id=programme.provider_id, details=details
    )


# The sections admins write ------------------------------------------------------------------------------------------


def page_of(programme: Programme) -> ProgrammePage:
    """The programme's page; an unsaved empty one when nothing is written yet (every section is optional)."""
    return ProgrammePage.objects.filter(programme=programme).first() or ProgrammePage(programme=programme)


@transaction.atomic
def update_page(
    programme: Programme, *, actor: Any, support_text: str, practical_experience: str, cost_barrier: str
) -> ProgrammePage:
    _require_admin(actor, programme)
    page, _ = ProgrammePage.objects.select_for_update().get_or_create(programme=programme)
    changed = []
    for name, value in (
        ("support_text", support_text),
        ("practical_experience", practical_experience),
        ("cost_barrier", cost_barrier),
    ):
        if getattr(page, name) != value.strip():
            setattr(page, name, value.strip())
            changed.append(name)
    page.full_clean()
    page.save()
    _audit(actor, "programme_page_updated", page, programme, changed=changed)
    return page


# Testimonials -------------------------------------------------------------------------------------------------------


@transaction.atomic
def add_testimonial(
    programme: Programme,
    *,
    actor: Any,
    text: str,
    graduate_name: str,
    graduate_detail: str = "",
    consent_how: str = "",
) -> Testimonial:
    """A graduate's words; published at once only when ``consent_how`` says how they agreed, else kept unpublished."""
    _require_admin(actor, programme)
    problems = {}
    if not text.strip():
        problems["text"] = "Write the graduate's words."
    if not graduate_name.strip():
        problems["graduate_name"] = "Give the name the graduate chose to be shown with."
    if problems:
        raise ValidationError(problems)
    testimonial = Testimonial(
        programme=programme,
        text=text.strip(),
        graduate_name=graduate_name.strip(),
        graduate_detail=graduate_detail.strip(),
        consent_how=consent_how.strip(),
        consent_recorded_at=timezone.now() if consent_how.strip() else None,
        added_by=actor,
    )
    testimonial.full_clean()
    testimonial.save()
    _audit(actor, "testimonial_added", testimonial, programme, consent=testimonial.consent_how)
    return testimonial


@transaction.atomic
def record_consent(testimonial: Testimonial, *, actor: Any, how: str) -> Testimonial:
    """The graduate agreed to publish their words under this name: how they agreed is kept, and the page shows it."""
    _require_admin(actor, testimonial.programme)
    testimonial = Testimonial.objects.select_for_update().select_related("programme__provider").get(pk=testimonial.pk)
    if testimonial.withdrawn_at is not None:
        raise ValidationError("This testimonial was withdrawn; add the words again if the graduate agrees anew.")
    if not how.strip():
        raise ValidationError({"how": "Say how the graduate agreed, for example 'email of 3 March 2024'."})
    testimonial.consent_how = how.strip()
    testimonial.consent_recorded_at = timezone.now()
    testimonial.save(update_fields=["consent_how", "consent_recorded_at"])
    _audit(actor, "testimonial_consent_recorded", testimonial, testimonial.programme, how=testimonial.consent_how)
    return testimonial


@transaction.atomic
def withdraw_testimonial(testimonial: Testimonial, *, actor: Any) -> Testimonial:
    """Taken off the page for good (a graduate who changes their mind, or words no longer true)."""
    _require_admin(actor, testimonial.programme)
    testimonial = Testimonial.objects.select_for_update().select_related("programme__provider").get(pk=testimonial.pk)
    if testimonial.withdrawn_at is None:
        testimonial.withdrawn_at = timezone.now()
        testimonial.save(update_fields=["withdrawn_at"])
        _audit(actor, "testimonial_withdrawn", testimonial, testimonial.programme)
    return testimonial


# Information sessions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InformationSessionDetails:
    """What an admin enters: the day and times are wall-clock times in ``time_zone``."""

    title: str
    day: datetime.date
    starts: datetime.time
    ends: datetime.time
    time_zone: str
    hosts: str = ""
    meeting_url: str = ""
    recording_url: str = ""


@transaction.atomic
def add_information_session(
    programme: Programme, *, actor: Any, details: InformationSessionDetails
) -> InformationSession:
    _require_admin(actor, programme)
    if not details.title.strip():
        raise ValidationError({"title": "Give the session a title, e.g. 'Information session'."})
    zone(details.time_zone)  # a ValidationError naming the field when it is not a zone
    starts = local_moment(details.day, details.starts, details.time_zone)
    ends = local_moment(details.day, details.ends, details.time_zone)
    if ends <= starts:
        raise ValidationError({"ends": "It must end after it starts, on the same day."})
    session = InformationSession(
        programme=programme,
        title=details.title.strip(),
        hosts=details.hosts.strip(),
        starts_at=starts,
        ends_at=ends,
        time_zone=details.time_zone,
        meeting_url=details.meeting_url.strip(),
        recording_url=details.recording_url.strip(),
    )
    session.full_clean()
    session.save()
    _audit(actor, "information_session_added", session, programme, starts_at=starts, ends_at=ends)
    return session


@transaction.atomic
def set_recording(session: InformationSession, *, actor: Any, recording_url: str) -> InformationSession:
    """The link to watch a session afterwards (empty takes it off)."""
    _require_admin(actor, session.programme)
    session.recording_url = recording_url.strip()
    session.full_clean()
    session.save(update_fields=["recording_url"])
    _audit(actor, "information_session_recording_set", session, session.programme, recording_url=recording_url)
    return session


def upcoming_sessions(programme: Programme, now: datetime.datetime | None = None) -> QuerySet[InformationSession]:
    return programme.information_sessions.filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")


def listed_testimonials(programme: Programme, shown: str = "") -> QuerySet[Testimonial]:
    """For the admins' list: all, or those on the page, waiting for consent, or withdrawn."""
    found = programme.testimonials.order_by("-created_at", "-pk")
    if shown == "published":
        return found.published()
    if shown == "waiting":
        return found.filter(consent_recorded_at__isnull=True, withdrawn_at__isnull=True)
    if shown == "withdrawn":
        return found.filter(withdrawn_at__isnull=False)
    return found


def past_sessions(programme: Programme, now: datetime.datetime | None = None) -> QuerySet[InformationSession]:
    return programme.information_sessions.filter(ends_at__lte=now or timezone.now()).order_by("-starts_at", "-pk")


def sign_up(
    session: InformationSession, *, person: Any = None, name: str = "", email: str = "", now: Any = None
) -> tuple[InformationSessionSignUp, bool]:
    """Someone wants to come: a signed-in ``person``, or a ``name`` and ``email``. Signing up twice keeps one
    sign-up and sends nothing more; the first is confirmed by email with the session's calendar entry.

    Returns the sign-up and whether it is new.
    """
    if session.ends_at <= (now or timezone.now()):
        raise ValidationError("This session has already taken place; its recording is on the programme's page.")
    if getattr(person, "is_authenticated", False):
        name, email = person.full_name or person.email, person.email
    problems = {}
    if not name.strip():
        problems["name"] = "Give your name, so the facilitators know who is coming."
    if not email.strip():
        problems["email"] = "Give your email address: the joining link is sent there."
    if problems:
        raise ValidationError(problems)
    email = email.strip().lower()
    existing = session.sign_ups.filter(email=email).first()
    if existing is not None:
        return existing, False
    row = InformationSessionSignUp(
        session=session,
        person=person if getattr(person, "is_authenticated", False) else None,
        name=name.strip()[:200],
        email=email,
    )
    row.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same address, signed up at the same moment in another request
        return session.sign_ups.get(email=email), False
    transaction.on_commit(lambda: _confirm(row.pk))
    return row, True


def _confirm(sign_up_id: int) -> None:
    from credo.programmes.tasks_pages import send_sign_up_confirmation

    send_sign_up_confirmation.enqueue(sign_up_id=sign_up_id)


def confirmation_text(row: InformationSessionSignUp) -> tuple[str, str]:
    """The subject and body of the email confirming a sign-up."""
    session = row.session
    programme = session.programme
    lines = [
        f"{programme.provider.greeting} {row.name},",
        "",
        f"You are signed up for {session.title} about {programme.name}, {span(session, session.time_zone)}.",
    ]
    if session.hosts:
        lines.append(f"It is held by {session.hosts}.")
    if session.meeting_url:
        lines += ["", f"Join online: {session.meeting_url}"]
    lines += [
        "",
        "The calendar entry attached adds it to your calendar at the right time wherever you are.",
        f"The programme's page: {settings.SITE_URL}{programme_url(programme)}",
    ]
    return f"You are signed up: {session.title}, {programme.name}", "\n".join(lines)


# Times, as workshops show them --------------------------------------------------------------------------------------


def span(session: InformationSession, zone_name: str) -> str:
    """'Wednesday 14 February 2024, 12:00-13:00 NZDT' in the zone, as workshops are shown."""
    starts = timezone.localtime(session.starts_at, zone(zone_name))
    ends = timezone.localtime(session.ends_at, zone(zone_name))
    return f"{date_format(starts, 'l j F Y')}, {starts:%H:%M}\u2013{ends:%H:%M} {ends.tzname()}"


def programme_url(programme: Programme) -> str:
    return reverse("programmes:programme", args=[programme.provider.slug, programme.slug])


# Resources ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def add_resource(
    programme: Programme,
    *,
    actor: Any,
    kind: str,
    title: str,
    description: str = "",
    link: str = "",
    upload: UploadedFile | None = None,
    workshop: Session | None = None,
) -> Resource:
    """A link or an uploaded file (one of them) for the programme's enrolled learners, or for one workshop of it."""
    _require_staff(actor, programme)
    problems = {}
    if bool(link.strip()) == (upload is not None):
        problems["link"] = "Give either a link or a file to upload, not both."
    if upload is not None and (upload.size or 0) > LARGEST_FILE:
        problems["upload"] = f"The file is larger than {LARGEST_FILE // (1024 * 1024)} MB: share a link to it instead."
    if workshop is not None and workshop.cohort.programme_id != programme.pk:
        problems["workshop"] = "Choose one of this programme's workshops."
    if problems:
        raise ValidationError(problems)
    resource = Resource(
        programme=programme,
        workshop=workshop,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        link=link.strip(),
        added_by=actor,
    )
    if upload is not None:
        resource.file_name = (upload.name or "file")[-200:]
        resource.file_size = upload.size
        resource.file.save(upload.name or "file", upload, save=False)
    try:
        resource.full_clean(exclude=["file"])
    except ValidationError:
        if resource.file:
            resource.file.delete(save=False)
        raise
    resource.save()
    _audit(actor, "resource_added", resource, programme, kind=kind, file=resource.file_name, link=resource.link)
    return resource


def remove_resource(resource: Resource, *, actor: Any) -> None:
    """Removed for good, its file deleted from storage once the removal commits."""
    _require_staff(actor, resource.programme)
    with transaction.atomic():
        stored = resource.file.name if resource.file else ""
        _audit(actor, "resource_removed", resource, resource.programme, title=resource.title, file=resource.file_name)
        storage = resource.file.storage
        resource.delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))


def resources_for_learners(programme: Programme, *, cohort: Cohort | None = None) -> QuerySet[Resource]:
    """The programme's own resources, and those of its workshops (of ``cohort``'s workshops only, when given)."""
    found = Resource.objects.filter(programme=programme).select_related("workshop__cohort")
    if cohort is not None:
        found = found.filter(Q(workshop__isnull=True) | Q(workshop__cohort=cohort))
    return found.order_by("workshop__starts_at", "-created_at", "-pk")


def download_name(resource: Resource) -> str:
    """A file name safe in a Content-Disposition header."""
    cleaned = "".join(c for c in resource.file_name if c.isalnum() or c in "._- ").strip()
    return cleaned or "resource"


# What the page shows ------------------------------------------------------------------------------------------------


def featured_cohort(programme: Programme, now: datetime.datetime | None = None) -> Cohort | None:
    """The cohort the page's facts come from: the one taking registrations, else the next, else the latest."""
    now = now or timezone.now()
    cohorts = programme.cohorts.all()
    return (
        cohorts.filter(registration_opens__lte=now, registration_closes__gte=now.replace(microsecond=0))
        .order_by("registration_closes", "pk")
        .first()
        or cohorts.filter(registration_opens__gt=now).order_by("registration_opens", "pk").first()
        or cohorts.order_by("-study_starts", "-pk").first()
    )


@dataclass(frozen=True)
class Workshop:
    topic: str
    when: str


@dataclass(frozen=True)
class FeeIncludes:
    """What the fee includes, from what credo knows of the cohort: check-ins, workshops, email support, assessment."""

    cohort: Cohort
    check_ins: str
    workshops_intro: str
    workshops: list[Workshop]
    email_support: str
    assessment: str


def fee_includes(cohort: Cohort) -> FeeIncludes:
    """Two queries: the cohort's workshops are the only rows read."""
    shown = list(cohort.sessions.filter(cancelled_at__isnull=True).order_by("number"))
    allowed = cohort.check_ins_allowed
    check_ins = (
        f"{_count(allowed).capitalize()} 1:1 guidance and planning check-in{'s' if allowed != 1 else ''} "
        "with one of the facilitators."
        if allowed
        else ""
    )
    workshops_intro = (
        f"{_count(len(shown)).capitalize()} facilitated workshop{'s' if len(shown) != 1 else ''}, working together "
        "with others in the cohort, each with a topic:"
        if shown
        else ""
    )
    resubmits = cohort.resubmissions_allowed
    if resubmits == 0:
        assessment = "Assessment and moderation of your submission (no resubmission: it is assessed as final)."
    elif resubmits == 1:
        assessment = "Assessment and moderation of your submission, with the ability to resubmit once."
    else:
        assessment = f"Assessment and moderation of your submission, with up to {_count(resubmits)} resubmissions."
    return FeeIncludes(
        cohort=cohort,
        check_ins=check_ins,
        workshops_intro=workshops_intro,
        workshops=[Workshop(topic=s.topic, when=workshop_span(s, cohort.time_zone)) for s in shown],
        email_support="Email support for one-off questions over the study period.",
        assessment=assessment,
    )


def portfolio_template(programme: Programme) -> PortfolioTemplate | None:
    """The catalogue's template for the programme's qualification, its sections and evidence loaded (3 queries)."""
    return (
        PortfolioTemplate.objects.filter(qualification_id=programme.qualification_id)
        .prefetch_related("sections__requirements")
        .first()
    )


#: The ways to ask for help with the fee, as the study page offers them.
SUPPORT_KINDS = [str(label).lower() for label in SupportKind.labels]


def either(items: list[str]) -> str:
    """'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


@dataclass(frozen=True)
class SessionRow:
    session: InformationSession
    when: str
    viewer_when: str
    #: The signed-in viewer has signed up already (by their email address).
    signed_up: bool = False


@dataclass
class PublicPage:
    """Everything the page's own sections show; built in a fixed number of queries (test_pages_query_counts)."""

    page: ProgrammePage
    fee: FeeIncludes | None
    template: PortfolioTemplate | None
    testimonials: list[Testimonial]
    upcoming: list[SessionRow]
    past: list[SessionRow]
    support_kinds: list[str] = field(default_factory=lambda: SUPPORT_KINDS)
    support_kinds_text: str = field(default_factory=lambda: either(SUPPORT_KINDS))
    #: Where the person reading asks for help with the fee: their study page, else the open cohort's registration.
    support_url: str = ""
    support_link_text: str = ""
    viewer_zone: str = ""
    #: The programme's facilitators and admins find their pages (resources, who signed up) from here.
    viewer_is_staff: bool = False


#: How many of each list the page shows; the rest are in the API and (for admins) on the set-up page.
SHOWN = 5


def _rows(sessions: list[InformationSession], viewer_zone: str, signed_up: set[int] | None = None) -> list[SessionRow]:
    return [
        SessionRow(
            session=s,
            when=span(s, s.time_zone),
            viewer_when=span(s, viewer_zone) if viewer_zone and viewer_zone != s.time_zone else "",
            signed_up=s.pk in (signed_up or set()),
        )
        for s in sessions
    ]


def _signed_up(viewer: Any, sessions: list[InformationSession]) -> set[int]:
    """Which of the sessions the signed-in viewer has signed up for; one query, none for a visitor."""
    if not getattr(viewer, "is_authenticated", False) or not sessions:
        return set()
    found = InformationSessionSignUp.objects.filter(session__in=sessions, email=viewer.email.lower())
    return set(found.values_list("session_id", flat=True))


def _support_link(programme: Programme, viewer: Any, cohort: Cohort | None, now: datetime.datetime) -> tuple[str, str]:
    if getattr(viewer, "is_authenticated", False):
        mine = (
            programme.cohorts.filter(enrolments__learner=viewer, enrolments__state__in=HOLDING_A_PLACE)
            .values_list("enrolments__pk", flat=True)
            .first()
        )
        if mine:
            return reverse("programmes:my-enrolment", args=[mine]) + "#support-heading", "Ask from your study page"
    if cohort is not None and registration_window(cohort, now).is_open:
        return (
            reverse("programmes:register", args=[programme.provider.slug, programme.slug, cohort.slug]),
            f"Register for the {cohort.name}",
        )
    return "", ""


def public_page(programme: Programme, *, viewer: Any, now: datetime.datetime | None = None) -> PublicPage:
    now = now or timezone.now()
    cohort = featured_cohort(programme, now)
    own_zone = viewer_zone(viewer)
    url, text = _support_link(programme, viewer, cohort, now)
    upcoming = list(upcoming_sessions(programme, now)[:SHOWN])
    return PublicPage(
        page=page_of(programme),
        fee=fee_includes(cohort) if cohort is not None else None,
        template=portfolio_template(programme),
        testimonials=list(programme.testimonials.published()[:SHOWN]),
        upcoming=_rows(upcoming, own_zone, _signed_up(viewer, upcoming)),
        past=_rows(list(past_sessions(programme, now)[:SHOWN]), own_zone),
        support_url=url,
        support_link_text=text,
        viewer_zone=own_zone,
        viewer_is_staff=is_programme_staff(viewer, programme),
    )
