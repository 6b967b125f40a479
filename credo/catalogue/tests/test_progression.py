"""Given the units a learner holds: which qualifications are complete, and exactly what is missing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.accounts.models import Organisation, User
from credo.catalogue import services
from credo.catalogue.models import GroupKind, Qualification
from credo.catalogue.progression import progress_towards, progression_for
from credo.catalogue.tests.builders import SmallCatalogue, build_small_catalogue, make_qualification, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(catalogue_admin: User, awarding_body: Organisation) -> SmallCatalogue:
    return build_small_catalogue(catalogue_admin, awarding_body)


def _structured(q: Qualification) -> Qualification:
    return Qualification.objects.with_structure().get(pk=q.pk)


def test_the_award_units_complete_the_award_and_count_toward_the_certificate(small: SmallCatalogue) -> None:
    held = [u.code for u in small.shared_units]
    results = {p.qualification.code: p for p in progression_for(held)}
    assert results[small.award.code].complete
    certificate = results[small.certificate.code]
    assert not certificate.complete
    assert [u.code for u in certificate.units_achieved] == held
    assert [u.code for u in certificate.units_needed] == [u.code for u in small.certificate_only_units]
    optional = next(g for g in certificate.groups if g.group.name == "Optional units")
    assert optional.units_short == 2
    assert optional.shortfall_text() == "2 more units from those listed."


def test_complete_qualifications_come_first(small: SmallCatalogue) -> None:
    results = progression_for([u.code for u in small.shared_units])
    assert [p.qualification.code for p in results] == [small.award.code, small.certificate.code]


def test_two_of_three_options_complete_the_certificate(small: SmallCatalogue) -> None:
    held = [u.code for u in small.shared_units + small.certificate_only_units + small.optional_units[:2]]
    assert progress_towards(_structured(small.certificate), held).complete


def test_one_option_short_says_so(small: SmallCatalogue) -> None:
    held = [u.code for u in small.shared_units + small.certificate_only_units + small.optional_units[:1]]
    progress = progress_towards(_structured(small.certificate), held)
    assert not progress.complete
    assert progress.units_needed == ()
    optional = next(g for g in progress.groups if not g.satisfied)
    assert optional.shortfall_text() == "1 more unit from those listed."


def test_units_from_nowhere_start_nothing(small: SmallCatalogue) -> None:
    progress = progress_towards(_structured(small.award), ["Y/999/9999"])
    assert not progress.started
    assert not progress.complete
    assert len(progress.units_needed) == 3


def test_credit_minimums_count_credits_of_achieved_units(catalogue_admin: User, awarding_body: Organisation) -> None:
    q = make_qualification(catalogue_admin, awarding_body, "7000005", "Credits")
    group = services.add_rule_group(
        actor=catalogue_admin, qualification=q, name="Options", kind=GroupKind.OPTIONAL, min_credits=12
    )
    units = [make_unit(catalogue_admin, awarding_body, f"71000{n}0", f"U{n}", credits=5) for n in range(1, 4)]
    for unit in units:
        services.add_unit_to_group(actor=catalogue_admin, group=group, unit=unit)
    two = progress_towards(_structured(q), [units[0].code, units[1].code])
    assert (two.complete, two.groups[0].credits_short) == (False, 2)
    assert two.groups[0].shortfall_text() == "2 more credits from those listed."
    assert progress_towards(_structured(q), [u.code for u in units]).complete


def test_progression_reads_a_fixed_number_of_queries(
    small: SmallCatalogue, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(4):  # type: ignore[operator]  # pytest-django's fixture is callable
        progression_for([u.code for u in small.shared_units])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    held=st.sets(st.integers(min_value=0, max_value=7)),
    strangers=st.sets(st.sampled_from(["Y/999/9999", "A/000/0000"])),
)
def test_completion_matches_the_rules_of_combination_for_any_set_of_units(
    small: SmallCatalogue, held: set[int], strangers: set[str]
) -> None:
    """Independent oracle: the Award needs all 3 shared units; the Certificate needs those, its 2
    own units and any 2 of the 3 options. Units from nowhere change nothing."""
    units = small.shared_units + small.certificate_only_units + small.optional_units
    codes = {units[i].code for i in held} | strangers
    shared = {u.code for u in small.shared_units}
    own = {u.code for u in small.certificate_only_units}
    options = {u.code for u in small.optional_units}
    results = {p.qualification.code: p for p in progression_for(codes)}
    assert results[small.award.code].complete == (shared <= codes)
    assert results[small.certificate.code].complete == (shared | own <= codes and len(options & codes) >= 2)
    needed = {u.code for u in results[small.certificate.code].units_needed}
    assert needed == (shared | own) - codes
