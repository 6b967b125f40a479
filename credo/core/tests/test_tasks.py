import pytest
from django.core import mail

from credo.core.tasks import send_email


@pytest.mark.django_db
def test_mail_is_sent_through_the_task_queue() -> None:
    result = send_email.enqueue(
        subject="Hello", body="Body", to=["someone@example.org"], from_email="credo@example.org"
    )
    assert result.return_value == 1
    assert mail.outbox[0].subject == "Hello"
