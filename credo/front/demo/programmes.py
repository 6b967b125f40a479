"""The demo's programmes and cohorts, made through the same services staff and learners use.

* Inspiring Communities' 2024 micro-credential cohort, exactly as the seed describes it: registration
  extended to Wednesday 27 March, the four workshops and their topics, both fee tiers with GST. Its
  dates are past, so it stays as a past cohort, with learners at later stages (one asked for support).
* The next intake of the same programme, its dates moved forward from the day the demo is loaded,
  open for registration, so a newcomer can register.
* Riverside's SEG centre cohorts for the L2 Award and the L3 Certificate: open now, with a tutor,
  evening sessions at the centre (London time) and learners who have registered, some of them paid.

What the learners have done is in ``programmes_history``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from credo.accounts.models import Organisation, User
from credo.catalogue.models import Qualification
from credo.front.demo.programmes_history import AUCKLAND, LONDON, centre_learners, learners_2024
from credo.programmes.models import Cohort, OrganisationType, Programme, QuestionKind
from credo.programmes.services import billing, checkins, cohorts
from credo.programmes.services import workshops as workshops_service
from credo.programmes.services.questions import QuestionDraft

CLD_FEES = [
    {
        "code": "government",
        "name": "Local and central government",
        "amount": "649.00",
        "organisation_types": [OrganisationType.LOCAL_GOVERNMENT, OrganisationType.CENTRAL_GOVERNMENT],
    },
    {
        "code": "community",
        "name": "Community organisations and volunteer groups",
        "amount": "525.00",
        "organisation_types": [OrganisationType.COMMUNITY, OrganisationType.VOLUNTEER_GROUP, OrganisationType.OTHER],
    },
]
#: The 2024 workshops, as the seed lists them (Wednesdays, 12:00-13:30 NZ time).
CLD_WORKSHOPS_2024 = [
    (datetime.date(2024, 4, 3), "Exploring community-led development frameworks. Tools to identify and further "
     "develop your critical reflective practice"),
    (datetime.date(2024, 5, 22), "Unpacking the tasks of the micro-credential as they apply to your case study and "
     "your work"),
    (datetime.date(2024, 7, 3), "Sharing progress to date, peer-to-peer feedback and identifying next steps"),
    (datetime.date(2024, 8, 7), "Getting to success. Critical reflection to support your completion of the "
     "qualification tasks"),
]  # fmt: skip
ALL_TYPES = list(OrganisationType.values)
#: The terms a person accepts on registering, from what the programme's page says (fees, support when cost is a
#: barrier, submission within the year of enrolment, one resubmission); withdrawal follows what credo does.
CLD_TERMS = """\
Fees. The support package and assessment cost $649 plus GST for local and central government, and $525 plus GST \
for community organisations and volunteer groups. You are invoiced when you register, to you or to your \
organisation; your place is confirmed when the invoice is paid. If cost is a barrier, ask us for a reduced fee, a \
payment plan or a letter for a grant application before you pay.

What you commit to. This is self-directed study, guided by four workshops and two 1:1 check-ins: about 2 hours a \
week over 5 months. You confirm that you already work in communities and can draw on a community-led process you \
have facilitated.

Submission and assessment. Your portfolio is submitted by the cohort's submission deadline, within the year of \
your enrolment, and assessed in the assessment period your cohort's page gives (September and October for an \
intake that studies from April to August). If it does not yet meet the standard, you may resubmit once. The badge \
is awarded by Otago Polytechnic once your work is completed, assessed and ratified; we share your name, \
organisation and submission with Otago Polytechnic for that purpose.

Withdrawing or deferring. You may withdraw at any time from your dashboard or by telling us; an unpaid invoice is \
then cancelled. If you have paid and cannot continue, talk to us: we can move your place, and the fee you paid, \
to the next intake.
"""
#: Later workshops of a new intake: weeks after study starts.
WORKSHOP_WEEKS = (0, 7, 13, 18)


def _add_sessions(cohort: Cohort, admin: User, workshops: list[tuple[datetime.date, str]]) -> None:
    for number, (day, topic) in enumerate(workshops, start=1):
        details = workshops_service.SessionDetails(
            topic=topic,
            day=day,
            starts=datetime.time(12, 0),
            ends=datetime.time(13, 30),
            meeting_url="https://meet.example.org/inspiring-communities-cld",
        )
        workshops_service.add_session(cohort, actor=admin, number=number, details=details)


def _offer_check_ins(cohort: Cohort, facilitator: User, first_day: datetime.date, count: int) -> None:
    """Weekly Thursday-morning check-in times from ``first_day`` on."""
    day = first_day + datetime.timedelta(days=(3 - first_day.weekday()) % 7)
    for week in range(count):
        for hour in (9, 10):
            start = cohorts.local_moment(day + datetime.timedelta(weeks=week), datetime.time(hour), cohort.time_zone)
            checkins.publish_slot(
                actor=facilitator,
                cohort=cohort,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=45),
                meeting_url="https://meet.example.org/inspiring-communities-check-in",
            )


def _cld_programme(admin: User, provider: Organisation) -> Programme:
    return cohorts.create_programme(
        actor=admin,
        provider=provider,
        qualification=Qualification.objects.live().get(code="CLD-FACILITATION"),
        name="Micro-credential in Community-led Development (CLD) Facilitation",
        slug="cld-facilitation",
        summary=(
            "Bring together, reflect on and share all you have learnt about applying community-led development "
            "facilitation in your mahi. Assessment of a written CLD case study, with attestations about your work; "
            "you receive a badge from Otago Polytechnic once your work is completed, assessed and ratified."
        ),
        who_it_is_for=(
            "People already working in communities, with some knowledge and experience of community-led development "
            "approaches, including those not directly community-facing."
        ),
        what_is_required=(
            "Background on your CLD facilitation experience and roles; a case study of one CLD process you "
            "facilitated; attestations from one participant and one peer, mentor, supervisor or manager; supporting "
            "documents; critical reflections; a plan for your future CLD facilitation practice."
        ),
        time_commitment="About 2 hours a week over 5 months, submitted within the year of enrolment",
        fee_includes="\n".join(
            [
                "Two 1:1 guidance and planning sessions with one of our facilitators",
                "Four facilitated workshops, working together with others completing this qualification",
                "Email support for one-off questions over the study period",
                "The assessment fee for Otago Polytechnic's recognition of learning",
                "Assessment and moderation of your submission, with the ability to resubmit once",
            ]
        ),
        terms=CLD_TERMS,
        # The seed's registration form asks this of everyone; the SEG centre's programmes ask nothing.
        registration_questions=[
            QuestionDraft(
                kind=QuestionKind.STATEMENT,
                text="I already work in communities, facilitating community-led development",
            )
        ],
    )


def _cohort_2024(admin: User, programme: Programme, facilitator: User) -> Cohort:
    cohort = cohorts.create_cohort(
        actor=admin,
        programme=programme,
        fee_tiers=CLD_FEES,
        name="2024 intake",
        slug="2024",
        time_zone=AUCKLAND,
        registration_opens=cohorts.local_moment(datetime.date(2024, 1, 15), datetime.time(9), AUCKLAND),
        registration_closes=cohorts.end_of_day(datetime.date(2024, 3, 20), AUCKLAND),
        study_starts=datetime.date(2024, 4, 3),
        study_ends=datetime.date(2024, 8, 31),
        submission_deadline=cohorts.end_of_day(datetime.date(2024, 8, 31), AUCKLAND),
        assessment_starts=datetime.date(2024, 9, 1),
        assessment_ends=datetime.date(2024, 10, 31),
        currency="NZD",
        tax_name="GST",
        tax_rate=Decimal("0.15"),
    )
    cohorts.extend_registration(
        cohort,
        actor=admin,
        new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), AUCKLAND),
        reason="Several councils asked for more time to approve staff development funding.",
    )
    cohorts.assign_facilitators(cohort, actor=admin, facilitators=[facilitator])
    _add_sessions(cohort, admin, CLD_WORKSHOPS_2024)
    cohort.refresh_from_db()
    return cohort


def _first_wednesday(year: int, month: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(2 - first.weekday()) % 7)


def next_intake_dates(today: datetime.date) -> dict[str, Any]:
    """The next intake's dates, with registration open on ``today`` whatever day the demo is loaded.

    From September to February they follow the seed's calendar: registration closes on 27 March,
    study runs from April to August, assessment in September and October. From March to August
    next year's intake could not open yet (its work would be submitted more than a year after
    registration opened), so the calendar is shifted: registration for a month, then five months
    of study, then assessment.
    """
    opens = today - datetime.timedelta(days=7)
    if today.month >= 9 or today.month <= 2:
        year = today.year + 1 if today.month >= 9 else today.year
        closes = datetime.date(year, 3, 27)
        study_starts = _first_wednesday(year, 4)
        study_ends = datetime.date(year, 8, 31)
        assessment_ends = datetime.date(year, 10, 31)
    else:
        closes = today + datetime.timedelta(days=30)
        study_starts = today + datetime.timedelta(days=37)
        study_ends = study_starts + datetime.timedelta(weeks=21)
        assessment_ends = study_ends + datetime.timedelta(days=75)
        year = study_starts.year
    # A micro-credential's work is submitted within the year of enrolment: never later than a year after opening.
    deadline = min(study_ends, opens + datetime.timedelta(days=364))
    return {
        "name": f"{year} intake",
        "registration_opens": cohorts.local_moment(opens, datetime.time(9), AUCKLAND),
        "registration_closes": cohorts.end_of_day(closes, AUCKLAND),
        "study_starts": study_starts,
        "study_ends": study_ends,
        "submission_deadline": cohorts.end_of_day(deadline, AUCKLAND),
        "assessment_starts": deadline + datetime.timedelta(days=1),
        "assessment_ends": assessment_ends,
    }


def _next_intake(admin: User, programme: Programme, facilitator: User, today: datetime.date) -> Cohort:
    """Open now, whatever day the demo is loaded (see ``next_intake_dates``)."""
    dates = next_intake_dates(today)
    study_starts = dates["study_starts"]
    cohort = cohorts.create_cohort(
        actor=admin,
        programme=programme,
        fee_tiers=CLD_FEES,
        slug="next",
        time_zone=AUCKLAND,
        capacity=20,
        currency="NZD",
        tax_name="GST",
        tax_rate=Decimal("0.15"),
        **dates,
    )
    cohorts.assign_facilitators(cohort, actor=admin, facilitators=[facilitator])
    workshops = [
        (study_starts + datetime.timedelta(weeks=week), topic)
        for week, (_, topic) in zip(WORKSHOP_WEEKS, CLD_WORKSHOPS_2024, strict=True)
    ]
    _add_sessions(cohort, admin, workshops)
    _offer_check_ins(cohort, facilitator, study_starts, count=6)
    return cohort


#: The centre's evening sessions: (programme slug, weekday (Monday 0), topics).
CENTRE_SESSIONS = {
    "l2-award": (1, (
        "Purpose and principles of community organising: why we organise, and with whom",
        "Community organising practice: listening and one-to-one conversations",
        "The community organising process: from a shared issue to action",
        "Your portfolio of evidence: what to gather, and how it is assessed",
    )),
    "l3-certificate": (3, (
        "Purpose, values and principles; mapping community assets and needs",
        "Analysing power and influence; understanding and affecting decision making",
        "Working with individuals and groups: interaction skills in practice",
        "Reflective practice, and completing your portfolio of evidence",
    )),
}  # fmt: skip
CENTRE_VENUE = "Riverside Community Hall, 1 Example Street, Riverside (demo)"


def _after_the_christmas_break(day: datetime.date) -> datetime.date:
    """The dates move with the day the demo is loaded: keep the centre's evenings out of 20 December-4 January."""
    while (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 4):
        day += datetime.timedelta(weeks=1)
    return day


def centre_sessions(cohort: Cohort, admin: User, weekday: int, topics: tuple[str, ...]) -> None:
    """Every six weeks from the first ``weekday`` of study, 18:30-20:30 London time, at the centre."""
    first = cohort.study_starts + datetime.timedelta(days=(weekday - cohort.study_starts.weekday()) % 7)
    for number, topic in enumerate(topics, start=1):
        details = workshops_service.SessionDetails(
            topic=topic,
            day=_after_the_christmas_break(first + datetime.timedelta(weeks=6 * (number - 1))),
            starts=datetime.time(18, 30),
            ends=datetime.time(20, 30),
            venue=CENTRE_VENUE,
        )
        workshops_service.add_session(cohort, actor=admin, number=number, details=details)


def _seg_cohorts(admin: User, tutor: User, provider: Organisation, today: datetime.date) -> None:
    """The demo centre's fees are its own (the seed gives none); no VAT is charged on them."""
    for code, slug, name, fee in (
        ("603/1939/2", "l2-award", "SEG Awards Level 2 Award in Community Organising", "395.00"),
        ("603/1942/2", "l3-certificate", "SEG Awards Level 3 Certificate in Community Organising", "795.00"),
    ):
        fees = [{"code": "standard", "name": "Course fee", "amount": fee, "organisation_types": ALL_TYPES}]
        programme = cohorts.create_programme(
            actor=admin,
            provider=provider,
            qualification=Qualification.objects.live().get(code=code),
            name=name,
            slug=slug,
            summary=f"{name}, delivered by Riverside's organisers, assessed by portfolio of evidence.",
            who_it_is_for="People organising in their own communities, paid or voluntary.",
            time_commitment="Evening sessions over two terms",
            fee_includes="Group sessions\nA tutor's support with your portfolio\nAssessment and certification",
        )
        starts = today + datetime.timedelta(days=21)
        cohort = cohorts.create_cohort(
            actor=admin,
            programme=programme,
            fee_tiers=fees,
            name=f"{starts:%B %Y} cohort",
            slug="next",
            time_zone=LONDON,
            registration_opens=cohorts.local_moment(today - datetime.timedelta(days=14), datetime.time(9), LONDON),
            registration_closes=cohorts.end_of_day(today + datetime.timedelta(days=14), LONDON),
            study_starts=starts,
            study_ends=starts + datetime.timedelta(weeks=24),
            submission_deadline=cohorts.end_of_day(starts + datetime.timedelta(weeks=26), LONDON),
            assessment_starts=starts + datetime.timedelta(weeks=26, days=1),
            assessment_ends=starts + datetime.timedelta(weeks=30),
            currency="GBP",
            tax_name="",
            tax_rate=Decimal("0"),
        )
        cohorts.assign_facilitators(cohort, actor=admin, facilitators=[tutor])
        centre_sessions(cohort, admin, *CENTRE_SESSIONS[slug])  # before registrations: nobody to tell yet
        centre_learners(cohort, admin)


def _billing_details(inspiring: Organisation, riverside: Organisation, people: dict[str, Any]) -> None:
    """Made-up numbers and addresses (the demo must not send anyone's money anywhere): Inspiring Communities is
    GST-registered, so its invoices are tax invoices; the demo centre is not VAT-registered, so its are not."""
    billing.set_billing(
        inspiring,
        actor=people["admin@inspiring.example"],
        legal_name="Inspiring Communities Trust (demo)",
        tax_number="123-456-789",
        postal_address="PO Box 00000 (demo)\nWellington 6011\nNew Zealand",
        billing_email="accounts@inspiring.example",
        payment_instructions="Internet banking to Inspiring Communities Trust, account 00-0000-0000000-00 (demo).",
    )
    billing.set_billing(
        riverside,
        actor=people["admin@riverside.example"],
        legal_name="",
        tax_number="",
        postal_address="1 Example Street (demo)\nRiverside\nRV1 0AA",
        billing_email="accounts@riverside.example",
        payment_instructions="Bank transfer to Riverside Organising Centre, sort code 00-00-00, account 00000000.",
    )


def load_programmes(people: dict[str, Any]) -> None:
    """Programmes and cohorts; skipped when the demo already has them."""
    if Programme.objects.exists():
        return
    inspiring = Organisation.objects.get(slug="inspiring-communities")
    riverside = Organisation.objects.get(slug="riverside-organising-centre")
    _billing_details(inspiring, riverside, people)  # first, so every demo invoice carries them
    admin, facilitator = people["admin@inspiring.example"], people["facilitator@inspiring.example"]
    programme = _cld_programme(admin, inspiring)
    past = _cohort_2024(admin, programme, facilitator)
    learners_2024(past, admin, facilitator)
    today = timezone.localdate(timezone.now(), cohorts.zone(AUCKLAND))
    _next_intake(admin, programme, facilitator, today)
    _seg_cohorts(
        people["admin@riverside.example"],
        people["tutor@riverside.example"],
        riverside,
        timezone.localdate(timezone.now(), cohorts.zone(LONDON)),
    )
