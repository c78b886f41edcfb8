"""plan(current, desired): what turns one set-up into another, without a database."""

from __future__ import annotations

from dataclasses import replace

from skranke.queue.administration import plan
from skranke.queue.configuration import Action, Change, Entity, Municipality
from tests.config.municipality import five_branches


def _edited_nord(edit: dict[str, object]) -> Municipality:
    setup = five_branches()
    branches = [replace(b, **edit) if b.key == "nord" else b for b in setup.branches]  # type: ignore[arg-type]
    return replace(setup, branches=branches)


def test_equal_set_ups_plan_nothing() -> None:
    assert plan(five_branches(), five_branches()) == []


def test_an_empty_database_plans_creates_in_the_order_they_can_be_applied() -> None:
    steps = plan(Municipality(), five_branches())

    entities = [s.entity for s in steps]
    assert {s.action for s in steps} == {Action.CREATE}
    assert entities == sorted(entities, key=list(Entity).index)
    assert len(steps) == 5 * (1 + 4 + 3 + 2) + 3


def test_a_renamed_service_is_one_change_with_old_and_new_name() -> None:
    setup = five_branches()
    nord = setup.branches[1]
    renamed = replace(nord.services[1], name_da="Flytning og adresse")
    desired = _edited_nord({"services": (nord.services[0], renamed, *nord.services[2:])})

    steps = plan(setup, desired)

    assert steps == [
        Change(
            Entity.SERVICE,
            "nord/flytning",
            Action.CHANGE,
            {"name_da": ("Flytning (Filial Nord)", "Flytning og adresse")},
            "nord",
        )
    ]


def test_a_counter_left_out_is_deactivated_and_marked_left_out() -> None:
    setup = five_branches()

    steps = plan(setup, _edited_nord({"counters": setup.branches[1].counters[:2]}))

    assert steps == [
        Change(Entity.COUNTER, "nord/3", Action.DEACTIVATE, {"active": (True, False)}, "nord", True)
    ]


def test_a_counter_kept_with_active_false_is_deactivated_but_not_left_out() -> None:
    setup = five_branches()
    counters = setup.branches[1].counters
    off = replace(counters[2], active=False)

    (step,) = plan(setup, _edited_nord({"counters": (*counters[:2], off)}))

    assert (step.action, step.left_out) == (Action.DEACTIVATE, False)


def test_a_branch_left_out_of_the_desired_set_up_is_left_alone() -> None:
    setup = five_branches()

    assert plan(setup, replace(setup, branches=setup.branches[:1])) == []


def test_without_a_staff_list_staff_are_left_alone() -> None:
    setup = five_branches()

    assert plan(setup, replace(setup, staff=None)) == []


def test_staff_left_out_of_a_staff_list_are_deactivated() -> None:
    setup = five_branches()
    assert setup.staff is not None

    steps = plan(setup, replace(setup, staff=setup.staff[:2]))

    assert [(s.key, s.action) for s in steps] == [("anne", Action.DEACTIVATE)]


def test_new_hours_are_one_change_of_the_branch() -> None:
    setup = five_branches()
    hours = {"dropin": {"mon": [["09:00", "15:00"]]}, "booking": {}}

    (step,) = plan(setup, _edited_nord({"hours": hours}))

    assert (step.entity, step.key, set(step.fields)) == (Entity.BRANCH, "nord", {"hours"})
    assert step.fields["hours"][1] == {"booking": {}, "dropin": {"mon": [["09:00", "15:00"]]}}
