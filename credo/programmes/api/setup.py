"""Setting up programmes and cohorts through the JSON API, for the provider's programme admins only.

The same path as the set-up pages (``views.setup``): objects load through ``access.setup``, the input is read by
the very forms the pages use (dates as local days in the cohort's zone, tax as a percentage, fee tiers as rows),
and each save is the one service call the page makes. So a rule lives in one place: the form or the service, and
its problem comes back as a 422 naming the field to change. Someone with no role at the provider gets a 404;
someone with another role there (a facilitator, a learner) a 403.

PUT takes every field; PATCH only those to change, the rest kept as they are.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import HttpRequest
from ninja import Field, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.accounts.models import Organisation, User
from credo.api_errors import NUL_FREE
from credo.catalogue.models import Qualification
from credo.core.forms import problems_by_field
from credo.programmes.access import setup as access_setup
from credo.programmes.api.enrolments import Message, Problems
from credo.programmes.api.public import CohortOut, ProgrammeOut
from credo.programmes.api.router import router
from credo.programmes.forms.setup import (
    QUESTIONS_PREFIX,
    CohortForm,
    CopyCohortForm,
    ProgrammeForm,
    RegistrationQuestionForm,
    fee_tier_formset,
    qualifications_for,
)
from credo.programmes.models import Cohort, Programme
from credo.programmes.services import cohorts
from credo.programmes.services.questions import MAX_QUESTIONS

Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NUL_FREE)]
Line = Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)]


# Programmes -----------------------------------------------------------------------------------------


Wording = Annotated[str, StringConstraints(max_length=300, pattern=NUL_FREE)]


class QuestionIn(Schema):
    """One question asked of everyone who registers, in the order given."""

    id: int | None = Field(None, description="The saved question this revises; leave out for a new one.")
    asks: Literal["statement", "required", "optional"] = Field(
        description="statement: a statement the learner must confirm; required or optional: a question answered "
        "in their own words."
    )
    text: Wording


class QuestionSetupOut(Schema):
    id: int
    asks: str
    text: str


class ProgrammeChangeIn(Schema):
    """A programme's description; on PATCH every field may be left out."""

    qualification: Line | None = Field(None, description="The catalogue entry's code, e.g. 7000077.")
    qualification_version: int | None = Field(
        None, description="Which version of that entry; the newest live one you may offer when left out."
    )
    name: Line | None = None
    slug: Line | None = Field(None, description="Part of the web address: lower case letters, numbers and hyphens.")
    summary: Text | None = None
    who_it_is_for: Text | None = None
    what_is_required: Text | None = None
    time_commitment: Line | None = None
    fee_includes: Text | None = Field(None, description="One item a line.")
    terms: Text | None = Field(None, description="Terms of registration; a blank line starts a new paragraph.")
    registration_questions: list[QuestionIn] | None = Field(
        None,
        max_length=MAX_QUESTIONS,
        description="Exactly what people registering are asked, in order (an empty list: nothing); left out, the "
        "questions stay as they are. Answers already given are kept on the enrolments as they were asked.",
    )


class ProgrammeIn(ProgrammeChangeIn):
    """A whole programme (POST and PUT): the catalogue entry, name and slug are required."""

    qualification: Line = Field(description="The catalogue entry's code, e.g. 7000077.")
    name: Line
    slug: Line = Field(description="Part of the web address: lower case letters, numbers and hyphens.")
    summary: Text = ""
    who_it_is_for: Text = ""
    what_is_required: Text = ""
    time_commitment: Line = ""
    fee_includes: Text = Field("", description="One item a line.")
    terms: Text = Field("", description="Terms of registration; a blank line starts a new paragraph.")


class ProgrammeSetupOut(ProgrammeOut):
    qualification_version: int
    terms: str
    registration_questions: list[QuestionSetupOut]


def _programme_out(programme: Programme) -> ProgrammeSetupOut:
    rows = [RegistrationQuestionForm.initial_for(question) for question in programme.registration_questions.all()]
    return ProgrammeSetupOut(
        **ProgrammeOut.of(programme).model_dump(),
        qualification_version=programme.qualification.version,
        terms=programme.terms,
        registration_questions=[
            QuestionSetupOut(id=row["question"], asks=row["asks"], text=row["text"]) for row in rows
        ],
    )


def _question_rows(sent: list[QuestionIn]) -> dict[str, Any]:
    """The questions as the set-up page posts its rows, so the page's form reads them."""
    data: dict[str, Any] = {
        f"{QUESTIONS_PREFIX}-TOTAL_FORMS": len(sent),
        f"{QUESTIONS_PREFIX}-INITIAL_FORMS": 0,
        f"{QUESTIONS_PREFIX}-MIN_NUM_FORMS": 0,
        f"{QUESTIONS_PREFIX}-MAX_NUM_FORMS": MAX_QUESTIONS,
    }
    for index, question in enumerate(sent):
        row = f"{QUESTIONS_PREFIX}-{index}"
        data.update({f"{row}-question": question.id or "", f"{row}-asks": question.asks, f"{row}-text": question.text})
    return data


def _qualification_id(provider: Organisation, code: str, version: int | None) -> int:
    """The catalogue entry the form's choice names, as the form lists them: live, and approved for the provider."""
    offered = qualifications_for(provider).filter(code=code)
    if version is not None:
        offered = offered.filter(version=version)
    found = offered.order_by("-version").first()
    if found is None:
        which = f"{code} version {version}" if version is not None else code
        raise ValidationError(
            {"qualification": f"No live catalogue entry {which} that you may offer; check the code and version."}
        )
    return found.pk


def _programme_data(provider: Organisation, payload: ProgrammeChangeIn, current: Programme | None) -> dict[str, Any]:
    """The form's data: what was sent, over the programme's current values (nothing, for a new one)."""
    # PATCH changes what was sent; POST and PUT send the whole programme, defaults included.
    partial = not isinstance(payload, ProgrammeIn)
    sent = payload.model_dump(
        exclude_unset=partial, exclude={"qualification", "qualification_version", "registration_questions"}
    )
    data: dict[str, Any] = {}
    if current is not None:
        data = {name: getattr(current, name) for name in ProgrammeForm.Meta.fields if name != "qualification"}
        data["qualification"] = current.qualification_id
    data.update({name: value for name, value in sent.items() if value is not None})
    if payload.registration_questions is not None:
        data.update(_question_rows(payload.registration_questions))
    code, version = payload.qualification, payload.qualification_version
    if current is not None and code is None and version is not None:
        code = current.qualification.code  # another version of the same entry
    if code is not None:
        data["qualification"] = _qualification_id(provider, code, version)
    elif current is not None and not qualifications_for(provider).filter(pk=current.qualification_id).exists():
        # The form offers live entries only, as the edit page's list does: say which to name, not "not a choice".
        problem = (
            f"{current.qualification} is no longer offered ({current.qualification.status}): name the live entry's "
            "code to move this programme to it."
        )
        raise ValidationError({"qualification": problem})
    return data


def _refused(form: Any) -> ValidationError:
    return ValidationError(form.errors.as_data())


def _save_programme(
    request: HttpRequest, provider: Organisation, payload: ProgrammeChangeIn, found: Programme | None
) -> Programme:
    """What ``views.setup.programme_create``/``programme_edit`` do with a posted form."""
    data = _programme_data(provider, payload, found)
    if found is None:
        form = ProgrammeForm(data, provider=provider)
    else:
        # A copy for the form, which writes what was sent onto its instance before the service compares.
        form = ProgrammeForm(data, instance=copy.copy(found), provider=provider)
    if not form.is_valid():
        raise _refused(form)
    fields = form.service_fields()
    if found is None:
        qualification: Qualification = fields.pop("qualification")
        return cohorts.create_programme(actor=request.user, provider=provider, qualification=qualification, **fields)
    return cohorts.update_programme(actor=request.user, programme=found, **fields)


_PROGRAMME: dict[int, Any] = {200: ProgrammeSetupOut, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.post(
    "/setup/{provider}/programmes",
    auth=django_auth,
    response={201: ProgrammeSetupOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_setup_create_programme",
    summary="Set up a programme of a catalogue entry (the provider's programme admins)",
)
def create_programme(request: HttpRequest, provider: str, payload: ProgrammeIn) -> Reply[ProgrammeSetupOut]:
    organisation = access_setup.provider_for_setup(request.user, provider)
    return Reply(201, _programme_out(_save_programme(request, organisation, payload, None)))


@router.put(
    "/setup/{provider}/programmes/{programme}",
    auth=django_auth,
    response=_PROGRAMME,
    operation_id="programmes_setup_replace_programme",
    summary="Change a programme's description, catalogue entry and terms: every field (programme admins)",
)
def replace_programme(request: HttpRequest, provider: str, programme: str, payload: ProgrammeIn) -> ProgrammeSetupOut:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    return _programme_out(_save_programme(request, found.provider, payload, found))


@router.patch(
    "/setup/{provider}/programmes/{programme}",
    auth=django_auth,
    response=_PROGRAMME,
    operation_id="programmes_setup_update_programme",
    summary="Change some of a programme's description, catalogue entry and terms (programme admins)",
)
def update_programme(
    request: HttpRequest, provider: str, programme: str, payload: ProgrammeChangeIn
) -> ProgrammeSetupOut:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    return _programme_out(_save_programme(request, found.provider, payload, found))


# Cohorts --------------------------------------------------------------------------------------------


class FeeTierIn(Schema):
    id: int | None = Field(None, description="An existing tier's id, to change it; leave out for a new tier.")
    name: Line
    amount: Decimal = Field(description="The fee before tax, e.g. 525.00.")
    organisation_types: list[Line] = Field(description="Who pays this fee, e.g. community, local_government.")


class CohortChangeIn(Schema):
    """A cohort's terms; every day is a calendar day in the cohort's time zone. On PATCH any may be left out."""

    name: Line | None = None
    slug: Line | None = None
    time_zone: Line | None = Field(None, description="e.g. Pacific/Auckland; every day below is in this zone.")
    registration_opens_day: datetime.date | None = None
    registration_opens_time: datetime.time | None = Field(None, description="Wall-clock time; 09:00 when new.")
    registration_closes_day: datetime.date | None = Field(None, description="Open to the end of that day.")
    study_starts: datetime.date | None = None
    study_ends: datetime.date | None = None
    submission_deadline_day: datetime.date | None = Field(None, description="Accepted to the end of that day.")
    assessment_starts: datetime.date | None = None
    assessment_ends: datetime.date | None = None
    capacity: int | None = Field(None, description="Places; null for no limit.")
    resubmissions_allowed: int | None = None
    check_ins_allowed: int | None = None
    check_in_notice_hours: int | None = Field(None, description="Notice to move or cancel a check-in, 0 to 168.")
    weekly_hours_guideline: Decimal | None = None
    currency: Line | None = Field(None, description="ISO 4217 code in capitals, e.g. NZD.")
    tax_name: Line | None = Field(None, description="e.g. GST; empty when no tax applies.")
    tax_percent: Decimal | None = Field(None, description="e.g. 15 for 15% GST.")
    payment_terms_days: int | None = None
    fee_tiers: list[FeeTierIn] | None = Field(
        None, description="At most four; a tier left out is kept as it is. New cohorts need at least one."
    )
    facilitators: list[Line] | None = Field(None, description="Emails of people with the facilitator role here.")


class CohortIn(CohortChangeIn):
    """A whole cohort (POST and PUT). Fee tiers and facilitators may still be left out on PUT: they are kept."""

    name: Line
    slug: Line = Field("", description="Part of the web address; left empty, made from the name (2025-intake).")
    time_zone: Line = Field(description="e.g. Pacific/Auckland; every day below is in this zone.")
    registration_opens_day: datetime.date
    registration_opens_time: datetime.time = Field(datetime.time(9), description="Wall-clock time.")
    registration_closes_day: datetime.date = Field(description="Open to the end of that day.")
    study_starts: datetime.date
    study_ends: datetime.date
    submission_deadline_day: datetime.date = Field(description="Accepted to the end of that day.")
    assessment_starts: datetime.date
    assessment_ends: datetime.date
    resubmissions_allowed: int = 1
    check_ins_allowed: int = 2
    check_in_notice_hours: int = Field(24, description="Notice to move or cancel a check-in, 0 to 168.")
    weekly_hours_guideline: Decimal = Decimal("2.0")
    currency: Line = Field(description="ISO 4217 code in capitals, e.g. NZD.")
    tax_name: Line = Field("", description="e.g. GST; empty when no tax applies.")
    tax_percent: Decimal = Field(Decimal(0), description="e.g. 15 for 15% GST.")
    payment_terms_days: int = 20


class FeeTierOut(Schema):
    id: int
    code: str
    name: str
    amount: Decimal
    organisation_types: list[str]


class CohortSetupOut(CohortOut):
    programme: str
    check_in_notice_hours: int
    resubmissions_allowed: int
    payment_terms_days: int
    currency: str
    tax_name: str
    tax_rate: Decimal
    fee_tiers: list[FeeTierOut]
    facilitators: list[str]


def _cohort_out(cohort: Cohort) -> CohortSetupOut:
    cohort = Cohort.objects.select_related("programme__provider").get(pk=cohort.pk)
    return CohortSetupOut(
        **CohortOut.of(cohort).model_dump(),
        programme=cohort.programme.slug,
        check_in_notice_hours=cohort.check_in_notice_hours,
        resubmissions_allowed=cohort.resubmissions_allowed,
        payment_terms_days=cohort.payment_terms_days,
        currency=cohort.currency,
        tax_name=cohort.tax_name,
        tax_rate=cohort.tax_rate,
        fee_tiers=[
            FeeTierOut(id=t.pk, code=t.code, name=t.name, amount=t.amount, organisation_types=t.organisation_types)
            for t in cohort.fee_tiers.order_by("pk")
        ],
        facilitators=sorted(cohort.facilitators.values_list("email", flat=True)),
    )


def _cohort_data(payload: CohortChangeIn, current: Cohort | None) -> dict[str, Any]:
    """The form's data: what was sent over the cohort's current values, as the edit page shows them."""
    data: dict[str, Any] = {}
    if current is not None:
        data = CohortForm.initial_for(current)
    data["facilitators"] = []  # checked by the service, by email (see _facilitators)
    # PATCH changes what was sent; POST and PUT send the whole cohort, defaults included.
    partial = not isinstance(payload, CohortIn)
    sent = payload.model_dump(exclude_unset=partial, exclude={"fee_tiers", "facilitators"})
    data.update({name: value for name, value in sent.items() if value is not None or name == "capacity"})
    return data


def _tier_data(tiers: list[FeeTierIn]) -> dict[str, Any]:
    """The fee tier rows as the page posts them; every row is checked (none is a blank extra row)."""
    data: dict[str, Any] = {"tiers-TOTAL_FORMS": len(tiers), "tiers-INITIAL_FORMS": len(tiers)}
    for index, tier in enumerate(tiers):
        row = f"tiers-{index}-"
        data.update({f"{row}tier": tier.id or "", f"{row}name": tier.name, f"{row}amount": tier.amount})
        data[f"{row}organisation_types"] = tier.organisation_types
    return data


def _tier_problems(tiers: Any) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if tiers.non_form_errors():
        problems["fee_tiers"] = list(tiers.non_form_errors())
    for index, errors in enumerate(tiers.errors):
        for name, messages in errors.items():
            problems[f"fee_tiers[{index}].{name}"] = list(messages)
    return problems


def _facilitators(provider: Organisation, emails: list[str]) -> list[User]:
    """The people named; whether each may facilitate here is the service's rule (``assign_facilitators``)."""
    wanted = {email.strip().lower() for email in emails}
    found: list[User] = list(User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=wanted))
    unknown = wanted - {person.email.lower() for person in found}
    if unknown:
        problem = f"No one signs in as {', '.join(sorted(unknown))}: give them the facilitator role at {provider}."
        raise ValidationError({"facilitators": problem})
    return found


def _save_cohort(request: HttpRequest, programme: Programme, payload: CohortChangeIn, found: Cohort | None) -> Cohort:
    """What ``views.setup.cohort_create``/``cohort_edit`` do with a posted form and its fee tier rows."""
    form = CohortForm(_cohort_data(payload, found), programme=programme, cohort=found)
    tiers = None
    if payload.fee_tiers is not None or found is None:
        tiers = fee_tier_formset(_tier_data(payload.fee_tiers or []), cohort=found)
    form_valid = form.is_valid()
    tiers_valid = tiers is None or tiers.is_valid()
    problems = {} if tiers is None else _tier_problems(tiers)
    if not form_valid or not tiers_valid:
        raise ValidationError({**form.errors.as_data(), **problems})
    if payload.facilitators is not None:
        facilitators = _facilitators(programme.provider, payload.facilitators)
    else:
        facilitators = list(found.facilitators.all()) if found is not None else []
    try:
        if found is None:
            assert tiers is not None
            return cohorts.set_up_cohort(
                actor=request.user,
                programme=programme,
                fee_tiers=tiers.new_tiers(),
                facilitators=facilitators,
                **form.service_fields(),
            )
        return cohorts.revise_cohort(
            actor=request.user,
            cohort=found,
            tier_changes=tiers.tier_changes() if tiers is not None else [],
            new_tiers=tiers.new_tiers() if tiers is not None else [],
            facilitators=facilitators,
            **form.service_fields(),
        )
    except ValidationError as error:
        # Named by the input that set the stored field (registration_closes_day, tax_percent), as on the page.
        problems = problems_by_field(error)
        # A fee tier's problem (a type already in a tier that was not sent, an amount invoices quote) is the tiers'.
        tier_problems = {
            f"fee_tiers.{name}": problems.pop(name) for name in ("organisation_types", "amount") if name in problems
        }
        form.add_service_errors(problems)
        raise ValidationError({**form.errors.as_data(), **tier_problems}) from None


_COHORT: dict[int, Any] = {200: CohortSetupOut, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.post(
    "/setup/{provider}/programmes/{programme}/cohorts",
    auth=django_auth,
    response={201: CohortSetupOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_setup_create_cohort",
    summary="Set up a cohort: its days in its own zone, fee tiers, tax and facilitators (programme admins)",
)
def create_cohort(request: HttpRequest, provider: str, programme: str, payload: CohortIn) -> Reply[CohortSetupOut]:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    return Reply(201, _cohort_out(_save_cohort(request, found, payload, None)))


@router.put(
    "/setup/{provider}/programmes/{programme}/cohorts/{cohort}",
    auth=django_auth,
    response=_COHORT,
    operation_id="programmes_setup_replace_cohort",
    summary="Revise a cohort's dates and terms: every field; fee tiers sent are changed or added (programme admins)",
)
def replace_cohort(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: CohortIn
) -> CohortSetupOut:
    found = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    return _cohort_out(_save_cohort(request, found.programme, payload, found))


@router.patch(
    "/setup/{provider}/programmes/{programme}/cohorts/{cohort}",
    auth=django_auth,
    response=_COHORT,
    operation_id="programmes_setup_update_cohort",
    summary="Revise some of a cohort's dates and terms, e.g. its capacity (programme admins)",
)
def update_cohort(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: CohortChangeIn
) -> CohortSetupOut:
    found = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    return _cohort_out(_save_cohort(request, found.programme, payload, found))


class ExtensionIn(Schema):
    new_closes_day: datetime.date = Field(description="The new closing day in the cohort's zone; open all of it.")
    reason: Text = Field(description="Why registration is extended; the cohort's record keeps it.")


@router.post(
    "/setup/{provider}/programmes/{programme}/cohorts/{cohort}/registration-extension",
    auth=django_auth,
    response=_COHORT,
    operation_id="programmes_setup_extend_registration",
    summary="Keep registration open to a later day, with the reason; the cohort page announces it (programme admins)",
)
def extend_registration(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: ExtensionIn
) -> CohortSetupOut:
    found = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    new_closes = cohorts.end_of_day(payload.new_closes_day, found.time_zone)
    try:
        cohorts.extend_registration(found, actor=request.user, new_closes=new_closes, reason=payload.reason)
    except ValidationError as error:
        problems = problems_by_field(error)
        if "new_closes" in problems:
            problems["new_closes_day"] = problems.pop("new_closes")
        raise ValidationError(problems) from None
    return _cohort_out(found)


class FacilitatorsIn(Schema):
    facilitators: list[Line] = Field(description="Emails of people with the facilitator role here; [] for none.")


@router.put(
    "/setup/{provider}/programmes/{programme}/cohorts/{cohort}/facilitators",
    auth=django_auth,
    response=_COHORT,
    operation_id="programmes_setup_assign_facilitators",
    summary="Set who facilitates a cohort, by email (programme admins)",
)
def assign_facilitators(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: FacilitatorsIn
) -> CohortSetupOut:
    found = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    people = _facilitators(found.programme.provider, payload.facilitators)
    cohorts.assign_facilitators(found, actor=request.user, facilitators=people)
    return _cohort_out(found)


class CohortCopyIn(Schema):
    name: Line = Field("", description="The new cohort's name; left empty, the copied one's a year on (2025 intake).")
    slug: Line = Field("", description="Part of the web address; left empty, made from the name.")


@router.post(
    "/setup/{provider}/programmes/{programme}/cohorts/{cohort}/copy",
    auth=django_auth,
    response={201: CohortSetupOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="programmes_setup_copy_cohort",
    summary="Set up a new cohort as a copy of this one a year on: dates, terms, fee tiers, workshops, check-in "
    "times and facilitators (programme admins)",
)
def copy_cohort(
    request: HttpRequest, provider: str, programme: str, cohort: str, payload: CohortCopyIn
) -> Reply[CohortSetupOut]:
    """The set-up page's "Copy a year on" (``views.setup.cohort_copy``): the same form, the same service."""
    source = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    data = {"name": payload.name.strip() or cohorts.next_name(source.name), "slug": payload.slug}
    form = CopyCohortForm(data, programme=source.programme)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    made = cohorts.copy_cohort(
        actor=request.user, source=source, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"]
    )
    return Reply(201, _cohort_out(made))
