"""Who may change the set-up, what is written, and what the audit trail says about it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from skranke.queue import administration as admin
from skranke.queue import audit_trail
from skranke.queue.accounts import Principal, authenticate, principal_for_token
from skranke.queue.configuration import (
    Action,
    BranchSetup,
    DeviceSetup,
    Entity,
    InvalidSetup,
    StaffSetup,
)
from skranke.queue.errors import Forbidden
from skranke.queue.states import DeviceKind, PrincipalKind, Role
from skranke.store import Conn
from skranke.store import configuration as stored
from tests.config.municipality import audit_rows, five_branches, on_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ADMIN = Principal(PrincipalKind.ADMIN, "kommune-admin", Role.ADMIN)


@pytest.fixture
def kommune(database_url: str) -> str:
    def setup(conn: Conn) -> None:
        changes = admin.plan(admin.read_municipality(conn), five_branches())
        admin.apply(conn, ADMIN, NOW, changes)

    on_db(database_url, setup)
    return database_url


def manager_of(conn: Conn, *branches: str) -> Principal:
    ids = stored.branch_ids(conn, branches)
    return Principal(
        PrincipalKind.MANAGER, "leder-nord", Role.MANAGER, branch_ids=frozenset(ids.values())
    )


def _rename(branch: BranchSetup, service: str, name: str) -> BranchSetup:
    services = [replace(s, name_da=name) if s.key == service else s for s in branch.services]
    return replace(branch, services=services)


def test_a_manager_changes_a_service_of_their_branch_and_it_is_audited(kommune: str) -> None:
    def run(conn: Conn) -> list[object]:
        nord = admin.read_branch(conn, "nord")
        laan = next(s for s in nord.services if s.key == "laan")
        admin.save_service(conn, manager_of(conn, "nord"), NOW, "nord", replace(laan, prefix="B"))
        return audit_rows(conn, limit=1)

    (row,) = on_db(kommune, run)

    assert (row.actor, row.entity, row.entity_key, row.action) == (
        "leder-nord",
        "service",
        "nord/laan",
        "change",
    )
    assert row.changes == {"prefix": ["L", "B"]}


def test_a_manager_may_not_touch_another_branch_and_nothing_is_written(kommune: str) -> None:
    def run(conn: Conn) -> None:
        current = admin.read_municipality(conn)
        desired = replace(
            current,
            branches=[
                _rename(b, "laan", "Udlån") if b.key in ("nord", "syd") else b
                for b in current.branches
            ],
        )
        admin.apply(conn, manager_of(conn, "nord"), NOW, admin.plan(current, desired))

    with pytest.raises(Forbidden, match="'leder-nord' does not administer branch 'syd'"):
        on_db(kommune, run)

    names = on_db(kommune, lambda c: [s.name_da for s in admin.read_branch(c, "nord").services])
    assert "Udlån" not in names


@pytest.mark.parametrize(
    "person",
    [
        StaffSetup("ny-admin", Role.ADMIN),
        StaffSetup("kommune-admin", Role.ADMIN, active=False),
        StaffSetup("ole", Role.STAFF, ("syd",)),
        StaffSetup("anne", Role.STAFF, ("nord",)),  # works at syd too today
    ],
    ids=["make-an-admin", "change-an-admin", "give-another-branch", "someone-of-another-branch"],
)
def test_a_manager_may_not_make_or_change_admins_or_other_branches_people(
    kommune: str, person: StaffSetup
) -> None:
    def run(conn: Conn) -> None:
        admin.save_staff(conn, manager_of(conn, "nord"), NOW, person, "a-long-password")

    with pytest.raises(Forbidden):
        on_db(kommune, run)


def test_a_manager_may_not_create_a_branch(kommune: str) -> None:
    def run(conn: Conn) -> None:
        admin.save_branch(conn, manager_of(conn, "nord"), NOW, BranchSetup("ny", "Ny filial"))

    with pytest.raises(Forbidden, match="Only an administrator creates branches"):
        on_db(kommune, run)


def test_staff_and_devices_may_not_change_the_set_up(kommune: str) -> None:
    staff = Principal(PrincipalKind.STAFF, "anne", Role.STAFF, branch_ids=frozenset({1}))

    with pytest.raises(Forbidden, match="Expected an administrator or a manager, but got staff"):
        on_db(kommune, admin.save_branch, staff, NOW, BranchSetup("nord", "Nord"))


def test_a_manager_creates_staff_for_their_branch_who_can_log_in(kommune: str) -> None:
    def run(conn: Conn) -> object:
        person = StaffSetup("ole", Role.STAFF, ("nord",))
        admin.save_staff(conn, manager_of(conn, "nord"), NOW, person, "ole-password")
        return authenticate(conn, "ole", "ole-password")

    login = on_db(kommune, run)

    assert login is not None and login.role == Role.STAFF


def test_staff_made_from_a_file_cannot_log_in_until_a_password_is_set(kommune: str) -> None:
    def run(conn: Conn) -> tuple[object, object]:
        before = authenticate(conn, "anne", "")
        admin.reset_password(conn, ADMIN, NOW, "anne", "anne-password")
        return before, authenticate(conn, "anne", "anne-password")

    before, after = on_db(kommune, run)

    assert before is None and after is not None


def test_a_rotated_device_token_replaces_the_old_one_and_is_never_audited(kommune: str) -> None:
    def run(conn: Conn) -> tuple[str, str, list[object]]:
        changes, old = admin.save_device(
            conn, ADMIN, NOW, "nord", DeviceSetup("kiosk-nord-2", DeviceKind.KIOSK, "Kiosk 2")
        )
        assert old is not None and changes[0].action == Action.CREATE
        new = admin.rotate_device_token(conn, ADMIN, NOW, "kiosk-nord-2")
        return old, new, audit_rows(conn, entity="device", limit=2)

    old, new, rows = on_db(kommune, run)

    assert on_db(kommune, principal_for_token, old) is None
    assert on_db(kommune, principal_for_token, new).name == "kiosk-nord-2"
    assert [r.action for r in rows] == ["rotate-token", "create"]
    assert not any(old in str(r.changes) or new in str(r.changes) for r in rows)


def test_saving_an_existing_device_hands_out_no_token(kommune: str) -> None:
    device = DeviceSetup(
        "kiosk-nord", DeviceKind.KIOSK, "Kiosk ved døren", "network://10.0.0.5:9100"
    )

    changes, token = on_db(kommune, admin.save_device, ADMIN, NOW, "nord", device)

    assert token is None
    assert [(c.action, dict(c.fields)) for c in changes] == [
        (Action.CHANGE, {"name": ("Kiosk", "Kiosk ved døren")})
    ]


def test_the_grid_is_saved_for_every_counter_at_once(kommune: str) -> None:
    grid = {1: {"pas": 3.0}, 2: {"pas": 1.0, "flytning": 1.0}, 3: {"laan": 1.0}}

    changes = on_db(kommune, admin.save_grid, ADMIN, NOW, "nord", grid)

    counters = on_db(kommune, lambda c: admin.read_branch(c, "nord").counters)
    assert [dict(c.priorities) for c in counters] == [grid[1], grid[2], grid[3]]
    assert [c.key for c in changes] == ["nord/1", "nord/2", "nord/3"]


def test_a_grid_naming_a_service_the_branch_lacks_is_refused(kommune: str) -> None:
    with pytest.raises(InvalidSetup) as refused:
        on_db(kommune, admin.save_grid, ADMIN, NOW, "nord", {1: {"kaffe": 1.0}})

    assert [(e.path, e.code) for e in refused.value.errors] == [("grid.1.kaffe", "unknown_service")]


def test_a_deactivated_counter_can_be_reactivated(kommune: str) -> None:
    def run(conn: Conn, active: bool) -> list[object]:
        counter = admin.read_branch(conn, "nord").counters[0]
        return admin.save_counter(conn, ADMIN, NOW, "nord", replace(counter, active=active))

    off = on_db(kommune, run, False)
    on = on_db(kommune, run, True)

    assert [c.action for c in off] == [Action.DEACTIVATE]  # type: ignore[attr-defined]
    assert [dict(c.fields) for c in on] == [{"active": (False, True)}]  # type: ignore[attr-defined]


def test_a_manager_reads_the_audit_trail_of_their_branches_only(kommune: str) -> None:
    def run(conn: Conn) -> set[str]:
        manager = manager_of(conn, "nord")
        query = audit_trail.Query(None, NOW.date(), NOW.date(), what="admin")
        rows, _ = audit_trail.rows(conn, query, NOW, manager.branch_ids, 0, 500)
        return {str(r["number"]) for r in rows}

    keys = on_db(kommune, run)

    assert "nord/pas" in keys and "kiosk-nord" in keys
    assert not any(k.startswith("syd") or k.endswith("-syd") for k in keys)
    assert Entity.STAFF.value not in keys


def test_the_audit_trail_pages_newest_first_and_filters_by_actor_and_time(kommune: str) -> None:
    later = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def run(conn: Conn) -> tuple[list[object], list[object], list[object]]:
        nord = admin.read_branch(conn, "nord")
        admin.save_branch(conn, manager_of(conn, "nord"), later, replace(nord, name="Nord"))
        first = audit_rows(conn, limit=2)
        second = [r for r in audit_rows(conn, limit=4) if r.id < first[-1].id][:2]
        since = audit_rows(conn, actor="leder-nord", since=later)
        return first, second, since

    first, second, since = on_db(kommune, run)

    assert [r.actor for r in first] == ["leder-nord", "kommune-admin"]
    assert first[-1].id > second[0].id > second[1].id
    assert [(r.entity_key, r.changes) for r in since] == [
        ("nord", {"name": ["Filial Nord", "Nord"]})
    ]
