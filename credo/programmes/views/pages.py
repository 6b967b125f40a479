"""Pages for a programme's page sections: set-up by its admins, information-session sign-ups, and resources.

Objects load through ``access.pages`` (or ``access.setup`` for the admins' set-up pages); each change is one call
to ``services.pages``. Lists are paginated, in a fixed number of queries.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.forms import add_service_errors
from credo.core.http import ClientRateThrottle
from credo.programmes.access import pages as access_pages
from credo.programmes.access import setup as access_setup
from credo.programmes.calendar.information_sessions import information_session_ics
from credo.programmes.forms.pages import (
    ConsentForm,
    InformationSessionForm,
    ProgrammePageForm,
    RecordingForm,
    ResourceFilterForm,
    ResourceForm,
    SessionFilterForm,
    SignUpFilterForm,
    SignUpForm,
    TestimonialFilterForm,
    TestimonialForm,
    chosen,
    query_of,
)
from credo.programmes.models import Programme, Resource
from credo.programmes.services import pages

PER_PAGE = 20
#: Each sign-up emails the address given: a visitor who is not signed in may give this many an hour.
SIGN_UPS_PER_HOUR = 10


class SignUpRateLimit(ClientRateThrottle):
    """Per address (signed-in people sign up only themselves, once a session), off with ``CREDO_RATE_LIMITS``."""

    scope = "information-session-sign-up"

    def __init__(self) -> None:
        super().__init__(f"{SIGN_UPS_PER_HOUR}/hour")

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _status(*forms: Any) -> int:
    return 422 if any(form.errors for form in forms if form is not None) else 200


def _setup_url(programme: Programme, name: str = "setup_programme_page") -> str:
    return reverse(f"programmes:{name}", kwargs={"provider": programme.provider.slug, "programme": programme.slug})


# The sections -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def page_setup(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    page = pages.page_of(found)
    initial = {"support_text": page.support_text, "practical_experience": page.practical_experience,
               "cost_barrier": page.cost_barrier}  # fmt: skip
    form = ProgrammePageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pages.update_page(found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The page of {found.name} is saved.")
            return redirect(_setup_url(found))
    cohort = pages.featured_cohort(found)
    context = {
        "programme": found,
        "provider": found.provider,
        "form": form,
        "fee": pages.fee_includes(cohort) if cohort is not None else None,
        "template": pages.portfolio_template(found),
    }
    return render(request, "programmes/pages/setup.html", context, status=_status(form))


# Testimonials -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def testimonials(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    form = TestimonialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = pages.add_testimonial(
                found,
                actor=request.user,
                text=data["text"],
                graduate_name=data["graduate_name"],
                graduate_detail=data["graduate_detail"],
                consent_how=data["consent_how"] if data["consent"] else "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            shown = "is on the page" if added.is_published else "is kept, unpublished until their consent is recorded"
            messages.success(request, f"{added.graduate_name}'s testimonial {shown}.")
            return redirect(_setup_url(found, "setup_testimonials"))
    filters = TestimonialFilterForm(request.GET or None)
    context = {
        "programme": found,
        "provider": found.provider,
        "form": form,
        "filters": filters,
        "query": query_of(filters),
        "rows": _page(request, pages.listed_testimonials(found, chosen(filters, "shown"))),
    }
    return render(request, "programmes/pages/testimonials.html", context, status=_status(form))


@login_required
@require_POST
def testimonial_consent(request: HttpRequest, provider: str, programme: str, pk: int) -> HttpResponse:
    testimonial = access_pages.testimonial_for_setup(request.user, provider, programme, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            pages.record_consent(testimonial, actor=request.user, how=form.cleaned_data["how"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{testimonial.graduate_name}'s consent is recorded: the words are on the page.")
            return redirect(_setup_url(testimonial.programme, "setup_testimonials"))
    context = {"programme": testimonial.programme, "provider": testimonial.programme.provider,
               "testimonial": testimonial, "form": form}  # fmt: skip
    return render(request, "programmes/pages/testimonial_consent.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def testimonial_withdraw(request: HttpRequest, provider: str, programme: str, pk: int) -> HttpResponse:
    """A page saying what will happen; only the POST from it withdraws."""
    testimonial = access_pages.testimonial_for_setup(request.user, provider, programme, pk)
    if request.method == "POST":
        pages.withdraw_testimonial(testimonial, actor=request.user)
        messages.success(request, f"{testimonial.graduate_name}'s testimonial is withdrawn: it is no longer shown.")
        return redirect(_setup_url(testimonial.programme, "setup_testimonials"))
    context = {"programme": testimonial.programme, "provider": testimonial.programme.provider,
               "testimonial": testimonial}  # fmt: skip
    return render(request, "programmes/pages/testimonial_withdraw.html", context)


# Information sessions -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def information_sessions(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    form = InformationSessionForm(request.POST or None, initial={"time_zone": found.provider.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            added = pages.add_information_session(found, actor=request.user, details=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added.title} on {pages.span(added, added.time_zone)} is added.")
            return redirect(_setup_url(found, "setup_information_sessions"))
    now = timezone.now()
    filters = SessionFilterForm(request.GET or None)
    when = chosen(filters, "when")
    sessions = (
        pages.upcoming_sessions(found, now)
        if when == "upcoming"
        else pages.past_sessions(found, now)
        if when == "past"
        else found.information_sessions.order_by("-starts_at", "-pk")
    )
    context = {
        "programme": found,
        "provider": found.provider,
        "form": form,
        "filters": filters,
        "query": query_of(filters),
        "rows": _page(request, sessions),
        "now": now,
    }
    return render(request, "programmes/pages/information_sessions.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def information_session_recording(request: HttpRequest, provider: str, programme: str, public_id: UUID) -> HttpResponse:
    session = access_pages.information_session_for_setup(request.user, provider, programme, public_id)
    form = RecordingForm(request.POST or None, initial={"recording_url": session.recording_url})
    if request.method == "POST" and form.is_valid():
        try:
            pages.set_recording(session, actor=request.user, recording_url=form.cleaned_data["recording_url"] or "")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The recording link of {session.title} is saved.")
            return redirect(_setup_url(session.programme, "setup_information_sessions"))
    context = {"programme": session.programme, "provider": session.programme.provider, "session": session,
               "when": pages.span(session, session.time_zone), "form": form}  # fmt: skip
    return render(request, "programmes/pages/recording.html", context, status=_status(form))


@login_required
@require_GET
def sign_ups(request: HttpRequest, public_id: UUID) -> HttpResponse:
    session = access_pages.information_session_for_staff(request.user, public_id)
    filters = SignUpFilterForm(request.GET or None)
    found = session.sign_ups.order_by("created_at", "pk")
    if text := chosen(filters, "q").strip():
        found = found.filter(Q(name__icontains=text) | Q(email__icontains=text))
    context = {
        "session": session,
        "programme": session.programme,
        "when": pages.span(session, session.time_zone),
        "filters": filters,
        "query": query_of(filters),
        "total": session.sign_ups.count(),
        "rows": _page(request, found),
    }
    return render(request, "programmes/pages/sign_ups.html", context)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A signed-in person signs up with one click; anyone else gives a name and an email address."""
    session = access_pages.public_information_session(public_id)
    signed_in = request.user.is_authenticated
    form = None if signed_in else SignUpForm(request.POST or None)
    limited = form is not None and form.is_bound and form.is_valid() and not SignUpRateLimit().allow_request(request)
    if limited and form is not None:  # the form then is not valid: nobody is signed up, nothing is sent
        form.add_error(None, "Many people were signed up from here in the last hour: wait an hour, or sign in.")
    if request.method == "POST" and (form is None or form.is_valid()):
        fields = {} if form is None else form.cleaned_data
        try:
            row, new = pages.sign_up(session, person=request.user, **fields)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(pages.programme_url(session.programme))
            add_service_errors(form, error)
        else:
            said = "You are signed up" if new else "You were already signed up"
            messages.success(request, f"{said} for {session.title}: the details are in an email to {row.email}.")
            return redirect(pages.programme_url(session.programme))
    context = {
        "session": session,
        "programme": session.programme,
        "when": pages.span(session, session.time_zone),
        "form": form,
        "is_past": session.ends_at <= timezone.now(),
    }
    return render(request, "programmes/pages/sign_up.html", context, status=429 if limited else _status(form))


@require_GET
def information_session_calendar(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The session's calendar entry, without the joining link (that goes to the people who sign up)."""
    session = access_pages.public_information_session(public_id)
    response = HttpResponse(information_session_ics(session, with_link=False), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="information-session.ics"'
    return response


# Resources ----------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resources(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    """The programme's resources for its facilitators and admins, who add them here."""
    found = access_pages.programme_for_resource_staff(request.user, provider, programme)
    form = ResourceForm(request.POST or None, request.FILES or None, programme=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = pages.add_resource(
                found,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                link=data["link"] or "",
                upload=data["upload"],
                workshop=data["workshop"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added.title} is added: the programme's enrolled learners see it.")
            return redirect("programmes:resources", provider=found.provider.slug, programme=found.slug)
    filters = ResourceFilterForm(request.GET or None)
    listed = pages.resources_for_learners(found)
    if kind := chosen(filters, "kind"):
        listed = listed.filter(kind=kind)
    context = {
        "programme": found,
        "form": form,
        "filters": filters,
        "query": query_of(filters),
        "rows": _page(request, listed),
    }
    return render(request, "programmes/pages/resources.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def resource_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A page saying what will happen; only the POST from it removes the resource and its file."""
    resource = access_pages.resource_for_staff(request.user, public_id)
    programme = resource.programme
    if request.method == "POST":
        pages.remove_resource(resource, actor=request.user)
        messages.success(request, f"{resource.title} is removed.")
        return redirect("programmes:resources", provider=programme.provider.slug, programme=programme.slug)
    return render(request, "programmes/pages/resource_remove.html", {"resource": resource, "programme": programme})


@login_required
@require_GET
def resource_open(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """A file, read from private storage after the permission check, always as a download; a link, followed."""
    resource = access_pages.resource_for_reader(request.user, public_id)
    if resource.link:
        return HttpResponseRedirect(resource.link)
    name = pages.download_name(resource)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(resource.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def my_resources(request: HttpRequest, pk: int) -> HttpResponse:
    """Every resource the learner may read, filtered by kind; only once their place is confirmed."""
    enrolment = access_pages.own_enrolment_reading(request.user, pk)
    may_read = enrolment.state in pages.READS_RESOURCES
    filters = ResourceFilterForm(request.GET or None)
    kind = chosen(filters, "kind")
    rows: Page[Resource] | None = None
    if may_read:
        found = pages.resources_for_learners(enrolment.cohort.programme, cohort=enrolment.cohort)
        rows = _page(request, found.filter(kind=kind) if kind else found)
    context = {"enrolment": enrolment, "cohort": enrolment.cohort, "may_read": may_read, "filters": filters,
               "rows": rows, "query": query_of(filters)}  # fmt: skip
    return render(request, "programmes/pages/my_resources.html", context)
