"""Forms for setting up programmes and cohorts: they read dates in the cohort's zone and percentages; the services
hold the rules (dates in order, tiers not overlapping, terms fixed once invoiced)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify

from credo.accounts.models import Organisation, Role, User
from credo.accounts.zones import ZoneField
from credo.catalogue.models import CentreApproval, Qualification, Status
from credo.programmes.models import (
    Cohort,
    FeeTier,
    OrganisationType,
    Programme,
    ProviderBilling,
    QuestionKind,
    RegistrationQuestion,
)
from credo.programmes.services.cohorts import (
    MAX_CHECK_IN_NOTICE_HOURS,
    end_of_day,
    local_moment,
    new_cohort_defaults,
)
from credo.programmes.services.questions import MAX_QUESTIONS, QuestionDraft

#: A cohort has at most this many fee tiers (there are five organisation types to share out).
MAX_FEE_TIERS = 4


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (2024-03-20), whatever the site's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def qualifications_for(provider: Organisation) -> QuerySet[Qualification]:
    """The live entries the provider is approved to deliver; any live entry when it holds no approval yet."""
    live = Qualification.objects.filter(status=Status.LIVE).order_by("code", "-version")
    codes = CentreApproval.objects.filter(centre=provider).values("qualification_code")
    return live.filter(code__in=codes) if codes.exists() else live


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ("qualification", "name", "slug", "summary", "who_it_is_for", "what_is_required",
                  "time_commitment", "fee_includes", "terms")  # fmt: skip
        labels = {
            "qualification": "Catalogue entry",
            "who_it_is_for": "Who it is for",
            "terms": "Terms of registration",
        }
        help_texts = {
            "terms": "Shown on the registration form beside the consent box: cancellations, refunds, what you expect "
            "of learners. A blank line starts a new paragraph. Without terms, people accept only the fee and what "
            "the cohort page says.",
        }
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("summary", "who_it_is_for", "what_is_required", "fee_includes")
            },
            "terms": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, provider: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["qualification"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = qualifications_for(provider)
        field.empty_label = "Choose a catalogue entry"
        self.fields["slug"].help_text = "Part of the web address: lower case letters, numbers and hyphens."
        self.provider = provider
        # What people registering are asked; a client that sends no question rows (the set-up API) leaves them be.
        self.asks_questions = not self.is_bound or f"{QUESTIONS_PREFIX}-TOTAL_FORMS" in self.data
        saved = self.instance.registration_questions.all() if self.instance.pk else []
        self.questions = RegistrationQuestionFormSet(
            self.data if self.is_bound else None,
            prefix=QUESTIONS_PREFIX,
            initial=[RegistrationQuestionForm.initial_for(question) for question in saved],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_bound and self.asks_questions and not self.questions.is_valid():
            # Listed in the page's summary with the form's own problems; each row shows its own beside it.
            for error in self.questions.non_form_errors():
                self.add_error(None, f"Registration questions: {error}")
            for number, row in enumerate(self.questions.forms, start=1):
                for errors in row.errors.values():
                    for error in errors:
                        self.add_error(None, f"Registration question {number}: {error}")
        return data

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        others = Programme.objects.filter(provider=self.provider, slug=slug).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"Another of your programmes already uses {slug!r}; choose another.")
        return slug

    def service_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.asks_questions:
            fields["registration_questions"] = [
                draft for row in self.questions.forms if (draft := row.draft()) is not None
            ]
        return fields


class FacilitatorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.email} ({obj.email})"


class CohortForm(forms.Form):
    """A cohort's terms; every date is a local date (and time) in the cohort's time zone."""

    name = forms.CharField(max_length=120, help_text="e.g. 2024 intake")
    slug = forms.SlugField(
        label="Web address name",
        max_length=80,
        required=False,
        help_text="Part of the cohort page's address: lower case letters, numbers and hyphens, e.g. 2024-intake. "
        "Left empty, it is made from the name.",
        # credo.js suggests it from the name as it is typed (until someone types here).
        widget=forms.TextInput(attrs={"data-slug-from": "id_name"}),
    )
    time_zone = ZoneField(help_text="Type a city or country. Every date below is in this zone.")
    registration_opens_day = forms.DateField(label="Registration opens on", widget=DateInput)
    registration_opens_time = forms.TimeField(label="at", widget=TimeInput, initial=datetime.time(9))
    registration_closes_day = forms.DateField(
        label="Registration closes on", widget=DateInput, help_text="Open to the end of that day."
    )
    study_starts = forms.DateField(label="Study starts", widget=DateInput)
    study_ends = forms.DateField(label="Study ends", widget=DateInput)
    submission_deadline_day = forms.DateField(
        label="Submission deadline", widget=DateInput, help_text="Submissions are accepted to the end of that day."
    )
    assessment_starts = forms.DateField(label="Assessment starts", widget=DateInput)
    assessment_ends = forms.DateField(label="Assessment ends", widget=DateInput)
    capacity = forms.IntegerField(label="Places", min_value=1, required=False, help_text="Leave empty for no limit.")
    resubmissions_allowed = forms.IntegerField(min_value=0, max_value=10, initial=1)
    check_ins_allowed = forms.IntegerField(label="1:1 check-ins per learner", min_value=0, max_value=20, initial=2)
    check_in_notice_hours = forms.IntegerField(
        label="Notice to move or cancel a check-in (hours)",
        min_value=0,
        max_value=MAX_CHECK_IN_NOTICE_HOURS,
        initial=24,
        help_text=f"Learners may move or cancel a booked check-in until this many hours before it; 0 to "
        f"{MAX_CHECK_IN_NOTICE_HOURS} (a week).",
    )
    weekly_hours_guideline = forms.DecimalField(
        label="Weekly hours guideline", min_value=0, max_digits=4, decimal_places=1, initial=Decimal("2.0")
    )
    currency = forms.RegexField(
        regex=r"^[A-Z]{3}$",
        max_length=3,
        help_text="Three capital letters (ISO 4217), e.g. NZD or GBP.",
        error_messages={"invalid": "Use the three-letter code in capitals, e.g. NZD."},
    )
    tax_name = forms.CharField(max_length=20, required=False, help_text="e.g. GST; empty when no tax applies.")
    tax_percent = forms.DecimalField(
        label="Tax rate (%)",
        min_value=0,
        max_value=Decimal("99.99"),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("0"),
        help_text="e.g. 15 for 15% GST.",
    )
    payment_terms_days = forms.IntegerField(label="Invoices due after (days)", min_value=0, max_value=365, initial=20)
    facilitators = FacilitatorsField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People with the facilitator role here; give someone the role under Members and roles.",
    )

    #: The form in sections, each under its own heading: (heading, hint, fields). Fee tiers follow "Fees and tax".
    SECTIONS = (
        ("The cohort", "", ("name", "slug", "time_zone")),
        ("Registration", "When people can register, in the cohort's time zone.",
         ("registration_opens_day", "registration_opens_time", "registration_closes_day", "capacity")),
        ("Study and assessment", "", ("study_starts", "study_ends", "submission_deadline_day", "assessment_starts",
                                      "assessment_ends", "resubmissions_allowed")),
        ("Support", "", ("check_ins_allowed", "check_in_notice_hours", "weekly_hours_guideline", "facilitators")),
        ("Fees and tax", "", ("currency", "tax_name", "tax_percent", "payment_terms_days")),
    )  # fmt: skip

    #: Where the services name a stored field, the form field that set it (for errors shown by the right input).
    FIELD_FOR = {
        "registration_opens": "registration_opens_day",
        "registration_closes": "registration_closes_day",
        "submission_deadline": "submission_deadline_day",
        "tax_rate": "tax_percent",
    }

    def __init__(self, *args: Any, programme: Programme, cohort: Cohort | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme, self.cohort = programme, cohort
        provider = programme.provider
        field = self.fields["facilitators"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            User.objects.filter(memberships__organisation=provider, memberships__role=Role.FACILITATOR)
            .distinct()
            .order_by("full_name", "email")
        )

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [(heading, hint, [self[name] for name in names]) for heading, hint, names in self.SECTIONS]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if not slug:
            # A new cohort's is made from its name by the service; an existing cohort keeps its address.
            return self.cohort.slug if self.cohort is not None else ""
        others = Cohort.objects.filter(programme=self.programme, slug=slug)
        if self.cohort is not None:
            others = others.exclude(pk=self.cohort.pk)
        if others.exists():
            raise forms.ValidationError(f"Another cohort of {self.programme.name} already uses {slug!r}.")
        return slug

    @classmethod
    def initial_for(cls, cohort: Cohort) -> dict[str, Any]:
        """The form's values for an existing cohort: its moments read back in its own zone."""
        zone = zoneinfo.ZoneInfo(cohort.time_zone)
        opens = cohort.registration_opens.astimezone(zone)
        initial = {name: getattr(cohort, name) for name in ("name", "slug", "time_zone", "study_starts",
                   "study_ends", "assessment_starts", "assessment_ends", "capacity", "resubmissions_allowed",
                   "check_ins_allowed", "check_in_notice_hours", "weekly_hours_guideline", "currency", "tax_name",
                   "payment_terms_days")}  # fmt: skip
        initial.update(
            registration_opens_day=opens.date(),
            registration_opens_time=opens.time(),
            registration_closes_day=cohort.registration_closes.astimezone(zone).date(),
            submission_deadline_day=cohort.submission_deadline.astimezone(zone).date(),
            tax_percent=(cohort.tax_rate * 100).normalize(),
            facilitators=list(cohort.facilitators.all()),
        )
        return initial

    def service_fields(self) -> dict[str, Any]:
        """The cohort's stored values: local dates become moments in its zone, a percentage a fraction."""
        data = self.cleaned_data
        zone_name = data["time_zone"]
        plain = ("name", "slug", "time_zone", "study_starts", "study_ends", "assessment_starts", "assessment_ends",
                 "capacity", "resubmissions_allowed", "check_ins_allowed", "check_in_notice_hours",
                 "weekly_hours_guideline", "currency", "tax_name", "payment_terms_days")  # fmt: skip
        fields = {name: data[name] for name in plain}
        fields.update(
            registration_opens=local_moment(data["registration_opens_day"], data["registration_opens_time"], zone_name),
            registration_closes=end_of_day(data["registration_closes_day"], zone_name),
            submission_deadline=end_of_day(data["submission_deadline_day"], zone_name),
            # Decimal arithmetic, so 15 is exactly 0.15 (a float would store 0.1499…).
            tax_rate=data["tax_percent"] / Decimal(100),
        )
        return fields

    def add_service_errors(self, problems: dict[str, list[str]]) -> None:
        """Show each problem a service found by the input that caused it."""
        for name, messages in problems.items():
            field = self.FIELD_FOR.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


def cohort_form_initial(programme: Programme) -> dict[str, Any]:
    """A new cohort's form starts from the previous cohort's terms, or the provider's zone, currency and tax."""
    defaults = new_cohort_defaults(programme)
    initial = {name: value for name, value in defaults.items() if name != "tax_rate"}
    initial["tax_percent"] = (defaults["tax_rate"] * 100).normalize()
    return initial


class CopyCohortForm(forms.Form):
    """The new cohort's name and address; everything else comes from the cohort copied, a year on."""

    name = forms.CharField(max_length=120, help_text="e.g. 2025 intake")
    slug = forms.SlugField(
        label="Web address name",
        max_length=80,
        required=False,
        help_text="Lower case letters, numbers and hyphens. Left empty, it is made from the name.",
        widget=forms.TextInput(attrs={"data-slug-from": "id_name"}),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug and Cohort.objects.filter(programme=self.programme, slug=slug).exists():
            raise forms.ValidationError(f"Another cohort of {self.programme.name} already uses {slug!r}.")
        return slug


class FeeTierForm(forms.Form):
    """One fee tier; a row left empty is no tier."""

    tier = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=120, required=False, label="Tier name")
    amount = forms.DecimalField(label="Fee before tax", min_value=0, max_digits=10, decimal_places=2, required=False)
    organisation_types = forms.MultipleChoiceField(
        label="For learners from", choices=OrganisationType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("tier") and not data.get("name") and data.get("amount") is None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("name"):
            self.add_error("name", "Name the tier, e.g. Community organisations.")
        if data.get("amount") is None:
            self.add_error("amount", "Give the fee before tax, e.g. 525.00.")
        if not data.get("organisation_types"):
            self.add_error("organisation_types", "Tick who pays this fee.")
        return data


class BaseFeeTierFormSet(forms.BaseFormSet):
    #: The cohort's tiers by id, when editing: a row naming any other id is refused.
    existing: dict[int, FeeTier]

    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [form for form in self.forms if not form.is_blank()]
        if not filled:
            raise forms.ValidationError("Add at least one fee tier.")
        seen: set[str] = set()
        for form in filled:
            tier = form.cleaned_data.get("tier")
            if tier and tier not in self.existing:
                raise forms.ValidationError("A fee tier changed meanwhile; reload the page.")
            twice = seen & set(form.cleaned_data["organisation_types"])
            if twice:
                labels = ", ".join(str(OrganisationType(t).label) for t in sorted(twice))
                raise forms.ValidationError(f"Each organisation type pays one fee: {labels} is in two tiers.")
            seen |= set(form.cleaned_data["organisation_types"])
        names = [slugify(form.cleaned_data["name"])[:40] for form in filled]
        if len(set(names)) != len(names):
            raise forms.ValidationError("Give each fee tier a different name.")

    def new_tiers(self) -> list[dict[str, Any]]:
        taken = {tier.code for tier in self.existing.values()}
        tiers = []
        for form in self.forms:
            if form.is_blank() or form.cleaned_data.get("tier"):
                continue
            code = slugify(form.cleaned_data["name"])[:40] or "tier"
            while code in taken:
                code = f"{code[:36]}-{len(taken)}"
            taken.add(code)
            tiers.append({"code": code, **_tier_values(form)})
        return tiers

    def tier_changes(self) -> list[tuple[FeeTier, dict[str, Any]]]:
        return [
            (self.existing[form.cleaned_data["tier"]], _tier_values(form))
            for form in self.forms
            if not form.is_blank() and form.cleaned_data.get("tier")
        ]


def _tier_values(form: forms.Form) -> dict[str, Any]:
    data = form.cleaned_data
    return {"name": data["name"], "amount": data["amount"], "organisation_types": data["organisation_types"]}


def fee_tier_formset(data: Any = None, *, cohort: Cohort | None = None) -> BaseFeeTierFormSet:
    """Four rows: the cohort's tiers first (if editing), then empty rows for new ones."""
    initial = []
    if cohort is not None:
        initial = [
            {"tier": t.pk, "name": t.name, "amount": t.amount, "organisation_types": t.organisation_types}
            for t in cohort.fee_tiers.order_by("pk")
        ]
    formset_class = forms.formset_factory(
        FeeTierForm,
        formset=BaseFeeTierFormSet,
        extra=MAX_FEE_TIERS - len(initial),
        max_num=MAX_FEE_TIERS,
        validate_max=True,
    )
    formset = formset_class(data, initial=initial, prefix="tiers")
    assert isinstance(formset, BaseFeeTierFormSet)
    formset.existing = {tier.pk: tier for tier in cohort.fee_tiers.all()} if cohort else {}
    return formset


class BillingForm(forms.Form):
    """A provider's billing details as typed. ``billing.set_billing`` trims and checks every field (so nothing is
    required here: its problems and the form's would otherwise show in two rounds)."""

    legal_name = forms.CharField(
        max_length=200,
        required=False,
        help_text="The name registered for GST or VAT, if not your everyday name. Leave empty to use it.",
    )
    tax_number = forms.CharField(
        label="GST or VAT registration number",
        max_length=40,
        required=False,
        help_text="e.g. 123-456-789. Leave empty if you are not registered: your invoices are then not tax invoices.",
    )
    postal_address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="One line per line of the address."
    )
    billing_email = forms.CharField(
        label="Billing email",
        max_length=254,
        required=False,
        help_text="Where learners send remittance advice and questions.",
    )
    payment_instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="How to pay, e.g. the bank account name and number. Every invoice adds the reference to quote.",
    )

    @classmethod
    def initial_for(cls, billing: ProviderBilling | None) -> dict[str, str]:
        if billing is None:
            return {}
        return {name: getattr(billing, name) for name in cls.base_fields}

    def service_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields}


# A programme's registration questions -------------------------------------------------------------------------------

QUESTIONS_PREFIX = "questions"
#: What a question row asks of a learner: the kind and, for a question, whether an answer is required.
ASKS = {
    "statement": ("A statement they confirm (a checkbox, required)", QuestionKind.STATEMENT, True),
    "required": ("A question they answer (required)", QuestionKind.QUESTION, True),
    "optional": ("A question they may answer (optional)", QuestionKind.QUESTION, False),
}


class RegistrationQuestionForm(forms.Form):
    """One question asked of everyone who registers; a row whose wording is empty asks nothing."""

    question = forms.IntegerField(widget=forms.HiddenInput, required=False)
    asks = forms.ChoiceField(label="Kind", choices=[(key, label) for key, (label, _, _) in ASKS.items()])
    text = forms.CharField(
        label="Wording",
        max_length=300,
        required=False,
        help_text="e.g. I already work in communities, facilitating community-led development. Clear it to remove "
        "the question; answers already given are kept as they were asked.",
    )

    @staticmethod
    def initial_for(question: RegistrationQuestion) -> dict[str, Any]:
        if question.kind == QuestionKind.STATEMENT:
            asks = "statement"
        else:
            asks = "required" if question.required else "optional"
        return {"question": question.pk, "asks": asks, "text": question.text}

    def draft(self) -> QuestionDraft | None:
        """The question as the service takes it, or None for a row left empty."""
        data = getattr(self, "cleaned_data", {})
        text = (data.get("text") or "").strip()
        if not text:
            return None
        _, kind, required = ASKS[data["asks"]]
        return QuestionDraft(kind=kind, text=text, required=required, id=data.get("question"))


RegistrationQuestionFormSet = forms.formset_factory(
    RegistrationQuestionForm, extra=2, max_num=MAX_QUESTIONS, validate_max=True
)
