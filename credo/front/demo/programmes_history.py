"""The demo's learners and what they have done so far, made through the services learners and staff use.

The 2024 cohort ended before the demo is loaded, so its learners are at later stages: Leilani studied
well (hours logged every week, every workshop, both check-ins, a question to the facilitator), Mei fell
behind and missed the first workshop, Sina studied but lost August to a bereavement, Rangi started
late, Tama is waiting on a funding decision, Ana withdrew before the first workshop, and Wiremu paid but
never started, so his enrolment lapsed after the deadline. (Their portfolios are in ``portfolios.py``.)

Each service takes the moment it acts as ``now`` where a rule depends on it (no hours logged ahead, no
check-in offered in the past), so the history is checked as it was lived. What the services stamp
with the moment they run (when a message was sent, an enrolment last changed, an extension made) is
dated afterwards, by ``_date_the_history``, so the pages and exports say 2024, not the day of loading.

The SEG centre's cohorts are still open for registration: their learners have registered and some
have paid.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from credo.accounts.models import User
from credo.programmes.models import (
    CheckInBooking,
    Cohort,
    Enrolment,
    FundingRequest,
    OrganisationType,
    SupportMessage,
)
from credo.programmes.services import checkins, enrolments, funding, study, support
from credo.programmes.services import workshops as workshops_service
from credo.programmes.services.cohorts import local_moment

AUCKLAND = "Pacific/Auckland"
LONDON = "Europe/London"
#: Leilani's weekly hours, repeated: 2.125 h a week on average, so a little over the 2 hours a week guideline.
STEADY_WEEK = ("2", "2.5", "1.5", "2", "3", "2", "1.75", "2.25")
#: What she worked on, by week of study: the portfolio the seed lists, part by part.
STEADY_NOTES = {
    0: "Read the CLD frameworks from workshop 1",
    2: "Chose my case study: the Porirua rangatahi hui",
    5: "Drafted background and current roles",
    9: "First full draft of the case study",
    12: "Asked a hui participant and my manager for attestations",
    15: "Gathered agendas, notes and the action plan as supporting documents",
    18: "Critical reflections, using the workshop 3 feedback",
    20: "Plan for my future CLD facilitation practice",
    21: "Final read-through before submitting",
}
#: Mei's weeks of study (she studied 1.5 h in each, then council work took over in June).
PATCHY_WEEKS = (0, 1, 2, 4, 5, 7, 8, 10)


@dataclass(frozen=True)
class PastLearner:
    """A 2024 learner: who, where they work, when they registered, and how far they went."""

    email: str
    full_name: str
    organisation: str
    kind: str
    registered: datetime.date
    stage: str  # studied | behind | ready | started | support | withdrawn | lapsed


PAST_LEARNERS = (
    PastLearner("learner@inspiring.example", "Leilani Fa'amausili", "Pasifika Community Collective",
                OrganisationType.COMMUNITY, datetime.date(2024, 2, 12), "studied"),
    PastLearner("mei.zhao@inspiring.example", "Mei Lin Zhao", "Hutt City Council", OrganisationType.LOCAL_GOVERNMENT,
                datetime.date(2024, 2, 19), "behind"),
    PastLearner("wiremu.teawa@inspiring.example", "Wiremu Te Awa", "Whanganui District Council",
                OrganisationType.LOCAL_GOVERNMENT, datetime.date(2024, 3, 4), "lapsed"),
    PastLearner("ana.havili@inspiring.example", "Ana Havili", "Ministry for Pacific Peoples",
                OrganisationType.CENTRAL_GOVERNMENT, datetime.date(2024, 3, 6), "withdrawn"),
    PastLearner("sina.tuilagi@inspiring.example", "Sina Tuilagi", "Cannons Creek Neighbourhood Trust",
                OrganisationType.COMMUNITY, datetime.date(2024, 2, 26), "ready"),
    PastLearner("rangi.hohaia@inspiring.example", "Rangi Hohaia", "Taranaki Rural Support Trust",
                OrganisationType.COMMUNITY, datetime.date(2024, 3, 11), "started"),
    # Registered during the extension to 27 March.
    PastLearner("tama.ruawai@inspiring.example", "Tama Ruawai", "Ōtaki Volunteer Network",
                OrganisationType.VOLUNTEER_GROUP, datetime.date(2024, 3, 25), "support"),
)  # fmt: skip
#: When things happened in 2024, in Auckland.
EXTENDED_ON = datetime.date(2024, 3, 19)
WITHDRAWN_ON = datetime.date(2024, 3, 28)
STUDY_STARTED_ON = datetime.date(2024, 4, 3)
SLOTS_PUBLISHED_ON = datetime.date(2024, 4, 4)
LAPSED_ON = datetime.date(2024, 9, 2)


def demo_user(email: str, full_name: str) -> User:
    """A learner without a demo login (no password): only the people ``load_demo`` lists sign in."""
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email=email, password=None, full_name=full_name)


def _auckland(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_moment(day, datetime.time(hour, minute), AUCKLAND)


def learners_2024(cohort: Cohort, admin: User, facilitator: User) -> None:
    """Register the 2024 learners and play their year through to the assessment window."""
    placed: dict[str, Enrolment] = {}
    for person in PAST_LEARNERS:
        placed[person.stage] = _register_2024(cohort, admin, person)
    _study_hours(placed["studied"], STEADY_WEEK, weeks=range(22), notes=STEADY_NOTES)
    _study_hours(placed["behind"], ("1.5",), weeks=PATCHY_WEEKS, notes={0: "Catching up on the workshop 1 recording"})
    _attendance(cohort, facilitator, studied=placed["studied"], behind=placed["behind"])
    _check_ins(cohort, facilitator, studied=placed["studied"], behind=placed["behind"])
    _support_thread(placed["studied"], facilitator)
    enrolments.lapse(
        placed["lapsed"],
        actor=admin,
        reason="Confirmed in March but never started: no workshops, hours or check-ins by the submission deadline",
    )
    _date_the_history(cohort, placed)


def _register_2024(cohort: Cohort, admin: User, person: PastLearner) -> Enrolment:
    learner = demo_user(person.email, person.full_name)
    enrolment = enrolments.register(
        cohort=cohort,
        learner=learner,
        organisation_name=person.organisation,
        organisation_type=person.kind,
        # The CLD programme's statement, confirmed as each of them did on the seed's form.
        answers={question.pk: True for question in cohort.programme.registration_questions.all()},
        terms_accepted=True,
        now=_auckland(person.registered, 10),
    )
    if person.stage in ("studied", "behind", "ready", "started", "lapsed"):
        invoice = enrolment.invoices.get()
        paid_on = invoice.issued_on + datetime.timedelta(days=9)
        enrolments.record_payment(invoice, actor=admin, paid_on=paid_on, reference="Demo bank transfer")
    if person.stage in ("studied", "behind", "ready", "started"):
        enrolments.activate(enrolment, actor=admin)
    elif person.stage == "support":
        funding.request_support(
            enrolment,
            actor=learner,
            kind="reduced_fee",
            explanation="Our volunteer network has no training budget this year; I could pay about half.",
        )
    elif person.stage == "withdrawn":
        enrolments.withdraw(enrolment, actor=learner, reason="Changed roles before the first workshop.")
    enrolment.refresh_from_db()
    return enrolment


def _study_hours(
    enrolment: Enrolment, hours: tuple[str, ...], *, weeks: range | tuple[int, ...], notes: dict[int, str]
) -> None:
    """One entry a week, on the Saturday of each week of study, logged that evening."""
    first = enrolment.cohort.study_starts + datetime.timedelta(days=3)
    for index, week in enumerate(weeks):
        day = first + datetime.timedelta(weeks=week)
        study.log_hours(
            enrolment,
            actor=enrolment.learner,
            day=day,
            hours=Decimal(hours[index % len(hours)]),
            note=notes.get(week, ""),
            now=_auckland(day, 20),
        )


def _attendance(cohort: Cohort, facilitator: User, *, studied: Enrolment, behind: Enrolment) -> None:
    """Both studying learners came to every workshop, except Mei to the first (a council budget meeting)."""
    for session in cohort.sessions.order_by("number"):
        present = {studied.pk: True, behind.pk: session.number != 1}
        workshops_service.record_attendance(session, actor=facilitator, present=present)


LEILANI_FIRST = (
    "Case study chosen: the Porirua rangatahi hui she co-facilitated in March. Agreed she will ask a hui participant "
    "and her manager for attestations by June. Next: draft the background section before workshop 2."
)
MEI_ONLY = (
    "Missed workshop 1 (council budget round); we went through the frameworks together. Workload is heavy: agreed a "
    "smaller case study, the Naenae community planning meeting. Suggested she books her second check-in before August."
)
LEILANI_SECOND = (
    "Case study drafted; the critical reflections need more on what she would do differently next time. Participant "
    "attestation in, manager's due mid-August. On track to submit before the deadline."
)
QUESTION = (
    "Kia ora Sione, can the participant attestation come from someone who joined the hui online? Most of our "
    "rangatahi came in by Zoom."
)
ANSWER = (
    "Kia ora Leilani, yes: a participant is anyone who took part in the process you facilitated, online or in the "
    "room. Ask them to say how they took part and what difference the facilitation made for them. Bring a draft to "
    "your next check-in if you would like another pair of eyes."
)


def _check_ins(cohort: Cohort, facilitator: User, *, studied: Enrolment, behind: Enrolment) -> None:
    """Thursday-morning check-ins offered early in April 2024; booked, held, and written up by the facilitator."""
    published = _auckland(SLOTS_PUBLISHED_ON, 9)
    plan = [
        (studied, datetime.date(2024, 4, 18), datetime.date(2024, 4, 10), LEILANI_FIRST),
        (behind, datetime.date(2024, 5, 16), datetime.date(2024, 5, 1), MEI_ONLY),
        (studied, datetime.date(2024, 7, 18), datetime.date(2024, 7, 2), LEILANI_SECOND),
    ]
    for enrolment, day, booked_on, notes in plan:
        starts = _auckland(day, 10)
        slot = checkins.publish_slot(
            actor=facilitator,
            cohort=cohort,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=45),
            meeting_url="https://meet.example.org/inspiring-communities-check-in",
            now=published,
        )
        booking = checkins.book(enrolment=enrolment, slot=slot, actor=enrolment.learner, now=_auckland(booked_on, 12))
        checkins.write_notes(booking, actor=facilitator, notes=notes, now=slot.ends_at + datetime.timedelta(hours=1))
        CheckInBooking.objects.filter(pk=booking.pk).update(booked_at=_auckland(booked_on, 12))


def _support_thread(enrolment: Enrolment, facilitator: User) -> None:
    asked = support.ask(enrolment, actor=enrolment.learner, body=QUESTION)
    answered = support.reply(enrolment.support_thread, actor=facilitator, body=ANSWER)
    SupportMessage.objects.filter(pk=asked.pk).update(sent_at=_auckland(datetime.date(2024, 6, 10), 19, 42))
    SupportMessage.objects.filter(pk=answered.pk).update(sent_at=_auckland(datetime.date(2024, 6, 11), 9, 15))


def _date_the_history(cohort: Cohort, placed: dict[str, Enrolment]) -> None:
    """Date what the services stamped with the moment of loading (see the module's docstring)."""
    cohort.extensions.update(created_at=_auckland(EXTENDED_ON, 15))  # the 19th in UTC too
    last_change = {
        "studied": _auckland(STUDY_STARTED_ON, 9),
        "behind": _auckland(STUDY_STARTED_ON, 9),
        "ready": _auckland(STUDY_STARTED_ON, 9),
        "started": _auckland(STUDY_STARTED_ON, 9),
        "lapsed": _auckland(LAPSED_ON, 9),
        "withdrawn": _auckland(WITHDRAWN_ON, 16),
    }
    for person in PAST_LEARNERS:
        enrolment = placed[person.stage]
        registered = _auckland(person.registered, 10)
        Enrolment.objects.filter(pk=enrolment.pk).update(
            created_at=registered, state_changed_at=last_change.get(person.stage, registered)
        )
    FundingRequest.objects.filter(enrolment=placed["support"]).update(
        created_at=_auckland(datetime.date(2024, 3, 26), 8, 30)
    )


@dataclass(frozen=True)
class CentreLearner:
    """A learner registering with the SEG centre, and what they have done since."""

    email: str
    full_name: str
    organisation: str
    kind: str
    stage: str  # paid | invoiced | withdrawn
    invoice_to_organisation: bool = False


#: By programme slug: two each, as every registration costs an invoice PDF when the demo loads in tests. The
#: centre is not VAT-registered, so these invoices carry no tax.
CENTRE_LEARNERS = {
    "l2-award": (
        CentreLearner("amira.haddad@riverside.example", "Amira Haddad", "Northbank Tenants' Association",
                      OrganisationType.COMMUNITY, "paid"),
        CentreLearner("kwame.mensah@riverside.example", "Kwame Mensah", "Riverside Borough Council",
                      OrganisationType.LOCAL_GOVERNMENT, "invoiced", invoice_to_organisation=True),
    ),
    "l3-certificate": (
        CentreLearner("bethan.morgan@riverside.example", "Bethan Morgan", "Eastside Youth Forum",
                      OrganisationType.COMMUNITY, "paid"),
        CentreLearner("callum.reid@riverside.example", "Callum Reid", "Riverside Allotment Society",
                      OrganisationType.VOLUNTEER_GROUP, "withdrawn"),
    ),
}  # fmt: skip


def centre_learners(cohort: Cohort, admin: User) -> None:
    """Register the centre's learners now (its cohorts are open): each gets an invoice; some have paid."""
    for person in CENTRE_LEARNERS[cohort.programme.slug]:
        learner = demo_user(person.email, person.full_name)
        enrolment = enrolments.register(
            cohort=cohort,
            learner=learner,
            organisation_name=person.organisation,
            organisation_type=person.kind,
            terms_accepted=True,
            invoice_to_organisation=person.invoice_to_organisation,
        )
        if person.stage == "paid":
            invoice = enrolment.invoices.get()
            enrolments.record_payment(invoice, actor=admin, paid_on=invoice.issued_on, reference="Demo bank transfer")
        elif person.stage == "withdrawn":
            enrolments.withdraw(
                enrolment, actor=learner, reason="A new job with evening shifts; I hope to join a later cohort."
            )
