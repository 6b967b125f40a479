"""The demo shared by a class of tests (root conftest's `demo_for_the_class`): each test's changes are undone."""

from __future__ import annotations

import pytest

from credo.accounts.models import Organisation, User
from credo.front.demo import GRADUATE

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("demo_for_the_class")
class TestTheSharedDemo:
    def test_a_test_may_change_the_demo(self) -> None:
        assert User.objects.filter(email=GRADUATE).update(full_name="Changed by a test") == 1

    def test_the_next_test_sees_the_demo_as_loaded(self) -> None:
        assert User.objects.filter(email=GRADUATE).exclude(full_name="Changed by a test").exists()


def test_after_the_class_the_demo_is_gone() -> None:
    assert not Organisation.objects.exists()
    assert not User.objects.filter(email=GRADUATE).exists()
