"""The demo's programme page carries the seed's: sections, the 14 February 2024 information session with its
recording, graduates' words with consent, and resources for the enrolled learners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.front.demo import load_demo
from credo.programmes.models import Enrolment, EnrolmentState, InformationSession, Resource, Testimonial

pytestmark = pytest.mark.django_db
URL = "/programmes/inspiring-communities/cld-facilitation/"


@pytest.fixture
def loaded(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()


@pytest.mark.usefixtures("loaded")
def test_the_cld_page_reads_as_the_seeds(client: Client) -> None:
    text = client.get(URL).content.decode()
    assert "The assessment fee associated with the Otago Polytechnic recognition of learning" in text
    assert "Four facilitated workshops" in text
    assert "Two 1:1 guidance and planning check-ins" in text
    assert "You will draw on a situation where you are using your skills" in text
    assert "consider including this activity within a grant application" in text
    assert "Background and current roles" in text  # the catalogue's portfolio template
    assert "held by our facilitators, Wednesday 14 February 2024, 12:00\u201313:00 NZDT" in text
    assert "watch the recording" in text
    assert "Leole Malama-Prasad, 2022 graduate" in text
    assert "Gemma Slack, 2021 graduate" in text
    assert text.index("Leole Malama-Prasad") < text.index("Gemma Slack")  # the seed's order: newest graduate first
    assert "Being in a leadership role within a large government agency" in text  # their words in full
    assert "The check-ins kept me going" not in text  # no consent recorded: never shown
    assert Testimonial.objects.filter(consent_recorded_at__isnull=True).count() == 1
    assert InformationSession.objects.count() == 2
    assert Resource.objects.filter(file="").count() == 1
    assert Resource.objects.exclude(file="").count() == 1


@pytest.mark.usefixtures("loaded")
def test_loading_again_adds_nothing() -> None:
    events = AuditEvent.objects.count()
    load_demo()
    assert AuditEvent.objects.count() == events
    assert Testimonial.objects.count() == 3
    assert Resource.objects.count() == 2


@pytest.mark.usefixtures("loaded")
def test_every_new_page_opens_for_the_people_it_is_for(client: Client) -> None:
    session = InformationSession.objects.order_by("-starts_at").first()
    assert session is not None
    setup = "/programmes/setup/inspiring-communities/cld-facilitation/page/"
    admin_pages = [
        setup,
        f"{setup}testimonials/",
        f"{setup}information-sessions/",
        f"{setup}information-sessions/{session.public_id}/recording",
        f"/programmes/information-sessions/{session.public_id}/sign-ups",
        "/programmes/resources/inspiring-communities/cld-facilitation/",
        URL,
    ]
    client.force_login(User.objects.get(email="admin@inspiring.example"))
    for url in admin_pages:
        assert client.get(url).status_code == 200, url
    studying = Enrolment.objects.filter(
        cohort__programme__slug="cld-facilitation", state__in=[EnrolmentState.CONFIRMED, EnrolmentState.ACTIVE]
    ).first()
    assert studying is not None
    client.force_login(studying.learner)
    for url in (f"/programmes/my/{studying.pk}/", f"/programmes/my/{studying.pk}/resources/"):
        text = client.get(url).content.decode()
        assert "Critical reflection prompts" in text, url
    resource = Resource.objects.exclude(file="").get()
    response = client.get(f"/programmes/resources/{resource.public_id}/open")
    assert response["Content-Disposition"].startswith("attachment;")
