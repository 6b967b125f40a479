"""Mail without a mail server: saved to the outbox with a one-line summary, readable by staff in the browser
where the outbox is switched on, and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.core.outbox import OutboxEmailBackend, message_names, read_message

ClientFor = Callable[[User | None], Client]


def _send(folder: Path, *messages: EmailMessage) -> str:
    out = StringIO()
    assert OutboxEmailBackend(directory=folder, stream=out).send_messages(list(messages)) == len(messages)
    return out.getvalue()


def _invoice(to: str = "ana@example.org", subject: str = "Your invoice INV-7") -> EmailMessage:
    message = EmailMultiAlternatives(
        subject=subject,
        body="Kia ora Ana,\nPay at https://credo.example/pay/7 by Friday.",
        from_email="credo <noreply@credo.example>",
        to=[to],
    )
    message.attach_alternative("<p>Kia ora Ana</p>", "text/html")
    message.attach("INV-7.pdf", b"%PDF-1.7 " + b"x" * 5000, "application/pdf")
    return message


def test_each_message_is_saved_as_a_file_and_summarised_in_one_line(tmp_path: Path) -> None:
    printed = _send(tmp_path, _invoice())
    names = message_names(tmp_path)
    assert len(names) == 1
    assert printed.count("\n") == 1
    assert printed.startswith("Email to ana@example.org: Your invoice INV-7 (")
    assert printed.rstrip().endswith(f"{names[0]})")
    assert "base64" not in printed  # the PDF stays in the file
    saved = (tmp_path / names[0]).read_bytes()
    assert b"Subject: Your invoice INV-7" in saved
    assert b"INV-7.pdf" in saved


def test_a_saved_message_reads_back_with_its_text_and_attachments(tmp_path: Path) -> None:
    _send(tmp_path, _invoice())
    message = read_message(message_names(tmp_path)[0], tmp_path)
    assert message is not None
    assert message.to == "ana@example.org"
    assert message.subject == "Your invoice INV-7"
    assert "Pay at https://credo.example/pay/7 by Friday." in message.text
    assert [(a.filename, a.content_type) for a in message.attachments] == [("INV-7.pdf", "application/pdf")]
    assert message.attachments[0].size == 5009


def test_names_outside_the_outbox_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("no")
    assert read_message("../secret.txt", tmp_path) is None
    assert read_message("secret.txt", tmp_path) is None
    assert read_message("20260101-000000-000000-deadbeef.eml", tmp_path) is None


def test_messages_are_listed_newest_first(tmp_path: Path) -> None:
    _send(tmp_path, _invoice(subject="first"))
    _send(tmp_path, _invoice(subject="second"))
    names = message_names(tmp_path)
    assert [read_message(name, tmp_path).subject for name in names] == ["second", "first"]  # type: ignore[union-attr]


@pytest.fixture
def outbox_on(settings: Any, tmp_path: Path) -> Path:
    settings.DEV_OUTBOX = True
    settings.EMAIL_OUTBOX_DIR = tmp_path
    return tmp_path


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="operator@credo.example", is_staff=True)


@pytest.mark.django_db
def test_staff_read_the_outbox_newest_first_filtered_and_paginated(
    outbox_on: Path, operator: User, client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    _send(outbox_on, *[_invoice(to=f"learner{n}@example.org", subject=f"Invoice {n}") for n in range(30)])
    client = client_for(operator)
    with django_assert_max_num_queries(3):
        html = client.get(reverse("outbox")).text
    assert html.index("Invoice 29") < html.index("Invoice 28")
    assert "Invoice 4<" not in html  # 25 a page: the oldest are on page 2
    assert "Page 1 of 2" in html
    assert "Invoice 4<" in client.get(reverse("outbox"), {"page": 2}).text
    filtered = client.get(reverse("outbox"), {"q": "learner7@"}).text
    assert "Invoice 7<" in filtered
    assert "Invoice 8<" not in filtered


@pytest.mark.django_db
def test_staff_read_a_message_with_its_links_followable_and_attachments_listed(
    outbox_on: Path, operator: User, client_for: ClientFor
) -> None:
    _send(outbox_on, _invoice())
    name = message_names(outbox_on)[0]
    html = client_for(operator).get(reverse("outbox-message", args=[name])).text
    assert '<a href="https://credo.example/pay/7"' in html
    assert "INV-7.pdf" in html
    assert "application/pdf" in html
    assert client_for(operator).get(reverse("outbox-message", args=["nothing.eml"])).status_code == 404
    download = client_for(operator).get(reverse("outbox-attachment", args=[name, 1]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="INV-7.pdf"'
    assert download.content.startswith(b"%PDF-1.7 ")
    assert client_for(operator).get(reverse("outbox-attachment", args=[name, 2])).status_code == 404


@pytest.mark.django_db
def test_the_outbox_is_refused_to_people_who_are_not_staff(
    outbox_on: Path, learner: User, outsider: User, client_for: ClientFor
) -> None:
    _send(outbox_on, _invoice())
    name = message_names(outbox_on)[0]
    for person in (learner, outsider):
        assert client_for(person).get(reverse("outbox")).status_code == 403
        assert client_for(person).get(reverse("outbox-message", args=[name])).status_code == 403
        assert client_for(person).get(reverse("outbox-attachment", args=[name, 1])).status_code == 403
    anonymous = client_for(None).get(reverse("outbox"))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_the_outbox_does_not_exist_where_it_is_switched_off(
    settings: Any, tmp_path: Path, operator: User, client_for: ClientFor
) -> None:
    settings.DEV_OUTBOX = False
    settings.EMAIL_OUTBOX_DIR = tmp_path
    _send(tmp_path, _invoice())
    assert client_for(operator).get(reverse("outbox")).status_code == 404
    name = message_names(tmp_path)[0]
    assert client_for(operator).get(reverse("outbox-message", args=[name])).status_code == 404
    assert client_for(operator).get(reverse("outbox-attachment", args=[name, 1])).status_code == 404
