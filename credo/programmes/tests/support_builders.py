"""People around a support thread, and emailed replies as a mail client would send them."""

from __future__ import annotations

from typing import Any, cast

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import cohorts, enrolments

from .builders import cohort_2024, nz

REPLY_DOMAIN = "reply.credo.example"


def facilitator_of(cohort: Cohort, admin: Any, email: str) -> User:
    """A facilitator at the cohort's provider, assigned to the cohort."""
    person = cast(User, UserFactory(email=email))
    MembershipFactory(user=person, organisation=cohort.programme.provider, role=Role.FACILITATOR)
    cohorts.assign_facilitators(cohort, actor=admin, facilitators=[*cohort.facilitators.all(), person])
    return person


def enrol(cohort: Cohort, email: str, full_name: str) -> Enrolment:
    return enrolments.register(
        cohort=cohort,
        learner=UserFactory(email=email, full_name=full_name),
        organisation_name="Ōtaki Community Trust",
        organisation_type="community",
        terms_accepted=True,
        now=nz(2024, 2, 1, 10),
    )


def plain_reply(*, sender: str, to: str, text: str, headers: str = "") -> bytes:
    """A one-part text reply, quoted-printable as many clients send non-ASCII text."""
    return (
        f"Return-Path: <{sender}>\r\n"
        f"Delivered-To: {to}\r\n"
        f"From: {sender}\r\n"
        f"To: credo support <{to}>\r\n"
        "Subject: Re: An answer to your question\r\n"
        "Date: Wed, 03 Apr 2024 10:15:00 +1300\r\n"
        "Message-ID: <reply-1@mail.example.org>\r\n"
        f"{headers}"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        f"{text}"
    ).encode("ascii")


def alternative_reply(*, sender: str, to: str) -> bytes:
    """A Gmail-style multipart/alternative reply: new text, a wrapped attribution line, then the quoted history."""
    return (
        f"Delivered-To: {to}\r\n"
        f"From: Aroha Te Whare <{sender}>\r\n"
        f"To: credo <{to}>\r\n"
        "Subject: Re: An answer to your question (Micro-credential in CLD facilitation)\r\n"
        "Date: Wed, 03 Apr 2024 10:15:00 +1300\r\n"
        "Message-ID: <CAF=abc123@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="000000000000b1a2c3"\r\n'
        "\r\n"
        "--000000000000b1a2c3\r\n"
        'Content-Type: text/plain; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Kia ora, ng=C4=81 mihi! Can my case study be about the =C5=8Ctaki hui from 2023?\r\n"
        "\r\n"
        "On Tue, 2 Apr 2024 at 16:02, credo <noreply@credo.example>\r\n"
        "wrote:\r\n"
        "\r\n"
        "> Kia ora Aroha,\r\n"
        "> Yes, any process you facilitated counts.\r\n"
        "\r\n"
        "--000000000000b1a2c3\r\n"
        'Content-Type: text/html; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        '<div dir=3D"ltr">Kia ora, ng=C4=81 mihi! Can my case study be about the =C5=8Ctaki hui?</div>\r\n'
        "\r\n"
        "--000000000000b1a2c3--\r\n"
    ).encode("ascii")


def facilitator_of_another_cohort(cohort: Cohort, admin: Any) -> User:
    """A facilitator at the same provider, but of another intake of the programme."""
    other = cohort_2024(admin, cohort.programme, name="Another intake", slug="another-intake")
    return facilitator_of(other, admin, "other-intake@inspiring-test.example")
