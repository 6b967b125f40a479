"""Every response carries the Content-Security-Policy and the Permissions-Policy (decision 0016); a response that
set a stricter policy of its own (a badge image, a portfolio file) keeps it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from credo.accounts.models import User

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]

STRICT = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response: HttpResponse) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return dict(parts)


def assert_strict(response: HttpResponse) -> None:
    found = directives(response)
    for name, value in STRICT.items():
        assert found.get(name) == value, f"{name}: {found.get(name)!r} in {response['Content-Security-Policy']!r}"
    assert "unsafe" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/catalogue/",
        "/programmes/",
        "/verify",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/v1/catalogue/qualifications",
        "/operator/login/",
        "/catalogue/qualifications/no-such/v1/",  # the 404 page
        "/healthz",
    ],
)
def test_every_page_anyone_can_reach_carries_the_policies(client: Client, url: str) -> None:
    response = client.get(url, follow=True)
    assert_strict(response)


def test_signed_in_pages_and_refusals_carry_the_policies(client_for: ClientFor, learner: User) -> None:
    signed_in = client_for(learner)
    assert_strict(signed_in.get(reverse("dashboard")))
    refused = signed_in.get(reverse("accounts:members", kwargs={"slug": "test-centre"}))
    assert refused.status_code == 403
    assert_strict(refused)


@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_the_api_docs_may_also_draw_swagger_uis_data_images_and_nothing_else(client: Client, url: str) -> None:
    """ninja's docs decorator covers the docs page and the document it reads."""
    found = directives(client.get(url))
    assert found["img-src"] == "'self' data:"
    for name, value in STRICT.items():
        assert name == "img-src" or found[name] == value


def _own_policy(request: HttpRequest) -> HttpResponse:
    """As the badge images and portfolio downloads answer: a stricter policy of their own."""
    response = HttpResponse("<svg/>", content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _failing(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("own-policy", _own_policy), path("failing", _failing)]


@pytest.mark.urls(__name__)
def test_a_response_with_a_policy_of_its_own_keeps_it(client: Client) -> None:
    response = client.get("/own-policy")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_the_policies_and_needs_no_inline_style(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/failing")
    assert response.status_code == 500
    assert_strict(response)
    assert "style=" not in response.text
    assert '<link rel="stylesheet" href="/static/credo/credo.css">' in response.text
