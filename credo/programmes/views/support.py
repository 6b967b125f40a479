"""Support pages: the learner's thread with the facilitators, and the facilitators' inbox and threads.

Objects load through ``access.support``; each message is one service call. A form
posted with htmx gets the conversation back as a partial.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from credo.core.http import HtmxHttpRequest
from credo.programmes.access import support as access_support
from credo.programmes.forms.support import SupportMessageForm
from credo.programmes.models import SupportMessage, SupportThread
from credo.programmes.services import support


def _messages(thread: SupportThread | None) -> QuerySet[SupportMessage] | list[SupportMessage]:
    return thread.messages.select_related("author") if thread is not None else []


def _conversation(request: HtmxHttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # htmx swaps only 2xx responses, so a form with errors comes back as 200 too.
    return render(request, "programmes/support/_conversation.html" if request.htmx else template, context)


@login_required
@require_http_methods(["GET", "POST"])
def learner_thread(request: HtmxHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment, thread = access_support.own_support(request.user, enrolment_id)
    form = SupportMessageForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            message = support.ask(enrolment, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.messages)
        else:
            if not request.htmx:
                return redirect("programmes:support-learner", enrolment_id=enrolment.pk)
            thread, form, sent = message.thread, SupportMessageForm(), True
    context = {
        "enrolment": enrolment,
        "cohort": enrolment.cohort,
        "messages_on_thread": _messages(thread),
        "form": form,
        "viewer_is_learner": True,
        "action": request.path,
        "sent": sent,
    }
    return _conversation(request, "programmes/support/learner.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cohort = access_support.support_inbox(request.user, str(public_id))
    context = {"cohort": cohort, "threads": support.threads_for_inbox(cohort)}
    return render(request, "programmes/support/inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_thread(request: HtmxHttpRequest, public_id: uuid.UUID, thread_id: int) -> HttpResponse:
    thread = access_support.support_thread_for_staff(request.user, str(public_id), thread_id)
    form = SupportMessageForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            support.reply(thread, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.messages)
        else:
            if not request.htmx:
                return redirect("programmes:support-thread", public_id=public_id, thread_id=thread.pk)
            form, sent = SupportMessageForm(), True
    context = {
        "enrolment": thread.enrolment,
        "cohort": thread.enrolment.cohort,
        "thread": thread,
        "messages_on_thread": _messages(thread),
        "form": form,
        "viewer_is_learner": False,
        "action": request.path,
        "sent": sent,
    }
    return _conversation(request, "programmes/support/thread.html", context)
