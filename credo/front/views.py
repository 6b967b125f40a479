from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credo.catalogue.models import Qualification
from credo.front.dashboard import home_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    live = Qualification.objects.live().select_related("owner", "level").order_by("owner__name", "level__number")
    return render(request, "core/home.html", {"qualifications": live})


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
