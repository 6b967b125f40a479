"""The demo's programmes and cohorts, made through the same services staff and learners use.

* Inspiring Communities' 2024 micro-credential cohort, exactly as the seed describes it: registration
  extended to Wednesday 27 March, the four workshops and their topics, both fee tiers with GST. Its
  dates are past, so it stays as a past cohort, with learners at later stages (one asked for support).
* The next intake of the same programme, its dates moved forward from the day the demo is loaded,
  open for registration, so a newcomer can register.
* Riverside's SEG centre cohorts for the L2 Award and the L3 Certificate.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from credo.accounts.models import Organisation, User
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, EnrolmentState, OrganisationType, Programme
from credo.programmes.services import checkins, cohorts, enrolments, funding
from credo.programmes.services import workshops as workshops_service

AUCKLAND = "Pacific/Auckland"
LONDON = "Europe/London"
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
#: Later workshops of a new intake: weeks after study starts.
WORKSHOP_WEEKS = (0, 7, 13, 18)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email=email, password=None, full_name=full_name)


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


def _learners_2024(cohort: Cohort, admin: User, facilitator: User, leilani: User) -> None:
    when = cohorts.local_moment(datetime.date(2024, 2, 12), datetime.time(10), AUCKLAND)
    people: list[tuple[User, str, str, str]] = [
        (leilani, "Pasifika Community Collective", OrganisationType.COMMUNITY, "active"),
        (_user("mei.zhao@inspiring.example", "Mei Lin Zhao"), "Hutt City Council", OrganisationType.LOCAL_GOVERNMENT,
         "active"),
        (_user("tama.ruawai@inspiring.example", "Tama Ruawai"), "Ōtaki Volunteer Network",
         OrganisationType.VOLUNTEER_GROUP, "support"),
        (_user("ana.havili@inspiring.example", "Ana Havili"), "Ministry for Pacific Peoples",
         OrganisationType.CENTRAL_GOVERNMENT, "withdrawn"),
    ]  # fmt: skip
    for learner, organisation, kind, stage in people:
        enrolment = enrolments.register(
            cohort=cohort,
            learner=learner,
            organisation_name=organisation,
            organisation_type=kind,
            eligibility_declared=True,
            terms_accepted=True,
            now=when,
        )
        if stage == "active":
            invoice = enrolment.invoices.get()
            enrolments.record_payment(invoice, actor=admin, paid_on=invoice.issued_on, reference="Demo bank transfer")
            enrolments.activate(enrolment, actor=admin)
        elif stage == "support":
            funding.request_support(
                enrolment,
                actor=learner,
                kind="reduced_fee",
                explanation="Our volunteer network has no training budget this year; I could pay about half.",
            )
        elif stage == "withdrawn":
            enrolments.withdraw(enrolment, actor=learner, reason="Changed roles before the first workshop.")
    # The first workshop's attendance, as the facilitator recorded it (Mei missed it).
    first = cohort.sessions.get(number=1)
    studying = cohort.enrolments.filter(state=EnrolmentState.ACTIVE).select_related("learner")
    present = {e.pk: e.learner.email != "mei.zhao@inspiring.example" for e in studying}
    workshops_service.record_attendance(first, actor=facilitator, present=present)


def _next_intake(admin: User, programme: Programme, facilitator: User, today: datetime.date) -> Cohort:
    """Open now, whatever day the demo is loaded: registration closes in a month, study follows."""
    study_starts = today + datetime.timedelta(days=37)
    study_ends = study_starts + datetime.timedelta(weeks=21)
    cohort = cohorts.create_cohort(
        actor=admin,
        programme=programme,
        fee_tiers=CLD_FEES,
        name=f"{study_starts.year} intake" if study_starts.year != 2024 else "Next intake",
        slug="next",
        time_zone=AUCKLAND,
        registration_opens=cohorts.local_moment(today - datetime.timedelta(days=7), datetime.time(9), AUCKLAND),
        registration_closes=cohorts.end_of_day(today + datetime.timedelta(days=30), AUCKLAND),
        study_starts=study_starts,
        study_ends=study_ends,
        submission_deadline=cohorts.end_of_day(study_ends + datetime.timedelta(days=14), AUCKLAND),
        assessment_starts=study_ends + datetime.timedelta(days=15),
        assessment_ends=study_ends + datetime.timedelta(days=75),
        capacity=20,
        currency="NZD",
        tax_name="GST",
        tax_rate=Decimal("0.15"),
    )
    cohorts.assign_facilitators(cohort, actor=admin, facilitators=[facilitator])
    workshops = [
        (study_starts + datetime.timedelta(weeks=week), topic)
        for week, (_, topic) in zip(WORKSHOP_WEEKS, CLD_WORKSHOPS_2024, strict=True)
    ]
    _add_sessions(cohort, admin, workshops)
    _offer_check_ins(cohort, facilitator, study_starts, count=6)
    return cohort


def _seg_cohorts(admin: User, provider: Organisation, today: datetime.date) -> None:
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
        cohorts.create_cohort(
            actor=admin,
            programme=programme,
            fee_tiers=fees,
            name="Spring cohort",
            slug="spring",
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


def load_programmes(people: dict[str, Any]) -> None:
    """Programmes and cohorts; skipped when the demo already has them."""
    if Programme.objects.exists():
        return
    inspiring = Organisation.objects.get(slug="inspiring-communities")
    admin, facilitator = people["admin@inspiring.example"], people["facilitator@inspiring.example"]
    programme = _cld_programme(admin, inspiring)
    past = _cohort_2024(admin, programme, facilitator)
    _learners_2024(past, admin, facilitator, people["learner@inspiring.example"])
    today = timezone.localdate(timezone.now(), cohorts.zone(AUCKLAND))
    _next_intake(admin, programme, facilitator, today)
    _seg_cohorts(
        people["admin@riverside.example"],
        Organisation.objects.get(slug="riverside-organising-centre"),
        timezone.localdate(),
    )
