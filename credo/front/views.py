from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credo.catalogue.models import Qualification
from credo.core import outbox as mail_outbox
from credo.front.dashboard import home_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    live = Qualification.objects.live().select_related("owner", "level").order_by("owner__name", "level__number")
    return render(request, "core/home.html", {"qualifications": live})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico whatever the page's <link rel=icon> says."""
    # Not permanent: the static file's name carries its hash, which changes with the icon.
    return redirect(static("credo/favicon.svg"))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html", {"home": home_for(request.user)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means unhealthy
        return JsonResponse({"status": "unavailable", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _require_outbox_reader(request: HttpRequest) -> None:
    """The outbox holds everyone's mail: only where it is switched on (never in production), only for staff."""
    if not settings.DEV_OUTBOX:
        raise Http404("There is no outbox here.")
    if not request.user.is_staff:
        raise PermissionDenied("Only the platform's staff can read the outbox.")


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The mail credo would have sent, newest first: for trying credo out without a mail server."""
    _require_outbox_reader(request)
    query = request.GET.get("q", "").strip()
    names = mail_outbox.message_names()
    if query:
        wanted = query.casefold()
        names = [m.name for m in mail_outbox.summaries(names) if wanted in f"{m.to} {m.subject}".casefold()]
    page = Paginator(names, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "core/outbox.html",
        {
            "page": page,
            "messages_here": mail_outbox.summaries(list(page.object_list)),
            "query": query,
            "folder": mail_outbox.outbox_dir(),
        },
    )


@login_required
@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    _require_outbox_reader(request)
    message = mail_outbox.read_message(name)
    if message is None:
        raise Http404("No such message in the outbox.")
    return render(request, "core/outbox_message.html", {"message": message})


@login_required
@require_GET
def outbox_attachment(request: HttpRequest, name: str, number: int) -> HttpResponse:
    """An attachment (an invoice PDF, say) of a message in the outbox, downloaded, never shown inline."""
    _require_outbox_reader(request)
    found = mail_outbox.attachment(name, number)
    if found is None:
        raise Http404("No such attachment in the outbox.")
    described, content = found
    response = HttpResponse(content, content_type=described.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=described.filename)
    return response
