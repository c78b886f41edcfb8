"""Carrying out a plan's steps, and who may: the writing half of `administration`.

`authorise` runs over every step before the first is performed, so a refused plan writes
nothing. `Steps.perform` turns one `Change` into store writes and one audit row; the change's
fields are already the column values (see `config_plan`), bar the few that name other rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from skranke.queue.accounts import Principal, hash_password, hash_token, new_token
from skranke.queue.configuration import Action, Change, Entity
from skranke.queue.errors import Forbidden, NotFound
from skranke.queue.states import CounterState, PrincipalKind, Role
from skranke.store import Conn
from skranke.store import audit as audit_store
from skranke.store import configuration as stored


def authorise(conn: Conn, actor: Principal, changes: Sequence[Change]) -> None:
    """Forbidden when the actor may not make one of `changes`; nothing is written here."""
    if actor.kind == PrincipalKind.ADMIN:
        return
    _manager(actor)
    for change in changes:
        if change.entity == Entity.BRANCH and change.action == Action.CREATE:
            raise Forbidden(f"Only an administrator creates branches, not {actor.name!r}")
        if change.entity == Entity.STAFF:
            _staff_change(conn, actor, change)
            continue
        if change.branch is not None:
            authorise_branch(conn, actor, change.branch)
        moved_from = change.fields.get("branch", (None, None))[0]
        if change.entity == Entity.DEVICE and moved_from is not None:
            authorise_branch(conn, actor, moved_from)


def authorise_branch(conn: Conn, actor: Principal, branch_key: str) -> None:
    if actor.kind == PrincipalKind.ADMIN:
        return
    _manager(actor)
    found = stored.branch_ids(conn, [branch_key]).get(branch_key)
    if found is None or not actor.may_use_branch(found):
        raise Forbidden(f"{actor.name!r} does not administer branch {branch_key!r}")


def authorise_staff(conn: Conn, actor: Principal, username: str) -> None:
    """May the actor change this existing user (a manager: not an admin, only their people)?"""
    if actor.kind == PrincipalKind.ADMIN:
        return
    _manager(actor)
    user = stored.staff_user(conn, username)
    if user is None:
        return
    if user.role == Role.ADMIN.value:
        raise Forbidden(f"Only an administrator changes administrator {username!r}")
    ids = set(user.branch_ids or [])
    # A user without branches works at every branch: more than any manager's.
    if not ids or not all(actor.may_use_branch(i) for i in ids):
        raise Forbidden(f"{actor.name!r} does not administer every branch of {username!r}")


def _manager(actor: Principal) -> None:
    if actor.kind != PrincipalKind.MANAGER:
        raise Forbidden(f"Expected an administrator or a manager, but got {actor.kind.value}")


def _staff_change(conn: Conn, actor: Principal, change: Change) -> None:
    authorise_staff(conn, actor, change.key)
    role = change.fields.get("role", (None, None))[1]
    if role == Role.ADMIN.value:
        raise Forbidden(f"Only an administrator makes {change.key!r} an administrator")
    branches = change.fields.get("branches", (None, None))[1]
    for key in branches or ():
        authorise_branch(conn, actor, key)
    if change.action == Action.CREATE and not branches:
        raise Forbidden(f"A manager gives {change.key!r} one of their own branches, not all")


class Steps:
    """Performs changes one by one on `conn`, remembering the tokens of devices it made."""

    def __init__(self, conn: Conn, actor: Principal, now: datetime) -> None:
        self.conn, self.actor, self.now = conn, actor, now
        self.tokens: dict[str, str] = {}

    def perform(self, change: Change) -> None:
        new = {f: v[1] for f, v in change.fields.items()}
        # A branch's own step may be the one that creates it: its id is read afterwards.
        branch_id = None
        if change.branch is not None and change.entity != Entity.BRANCH:
            branch_id = self._branch_id(change.branch)
        action = {
            Entity.BRANCH: self._branch,
            Entity.SERVICE: self._service,
            Entity.COUNTER: self._counter,
            Entity.DEVICE: self._device,
            Entity.STAFF: self._staff,
        }[change.entity](change, new, branch_id)
        if change.entity == Entity.BRANCH:
            branch_id = self._branch_id(change.key)
        audit_store.record(
            self.conn,
            at=self.now,
            actor=self.actor.name,
            actor_id=self.actor.user_id,
            branch_id=branch_id,
            entity=change.entity.value,
            entity_key=change.key,
            action=action,
            changes={f: [old, value] for f, (old, value) in change.fields.items()},
        )

    def _branch_id(self, key: str) -> int:
        found = stored.branch_ids(self.conn, [key]).get(key)
        if found is None:
            raise NotFound(f"Unknown branch {key!r}")
        return found

    def _branch(self, change: Change, new: dict[str, Any], branch_id: int | None) -> str:
        if change.action == Action.CREATE:
            stored.insert_branch(self.conn, {"key": change.key, **new})
        else:
            stored.update_branch(self.conn, self._branch_id(change.key), new)
        return change.action.value

    def _service(self, change: Change, new: dict[str, Any], branch_id: int | None) -> str:
        assert branch_id is not None
        key = change.key.split("/", 1)[1]
        if change.action == Action.CREATE:
            stored.insert_service(self.conn, {"branch_id": branch_id, "key": key, **new})
            return change.action.value
        service_id = stored.service_ids(self.conn, branch_id)[key]
        if _removed(change) and not stored.service_in_use(self.conn, service_id):
            stored.delete_service(self.conn, service_id)
            return "delete"
        stored.update_service(self.conn, service_id, new)
        return change.action.value

    def _counter(self, change: Change, new: dict[str, Any], branch_id: int | None) -> str:
        assert branch_id is not None
        number = int(change.key.rsplit("/", 1)[1])
        priorities = new.pop("priorities", None)
        if change.action == Action.CREATE:
            values = {"branch_id": branch_id, "number": number, "state": CounterState.CLOSED}
            counter_id = stored.insert_counter(self.conn, {**values, **new})
        else:
            found = stored.counter_id(self.conn, branch_id, number)
            assert found is not None, change.key
            counter_id = found
            if _removed(change) and not stored.counter_in_use(self.conn, counter_id):
                stored.delete_counter(self.conn, counter_id)
                return "delete"
            if new.get("active") is False:
                # A counter switched off is closed too: estimates count open counters.
                new["state"] = CounterState.CLOSED.value
            stored.update_counter(self.conn, counter_id, new)
        if priorities is not None:
            ids = stored.service_ids(self.conn, branch_id)
            stored.set_counter_services(
                self.conn, counter_id, {ids[k]: float(w) for k, w in priorities.items()}
            )
        return change.action.value

    def _device(self, change: Change, new: dict[str, Any], branch_id: int | None) -> str:
        if "branch" in new:
            new["branch_id"] = self._branch_id(new.pop("branch"))
        if change.action == Action.CREATE:
            token = new_token("skd")
            stored.insert_device(
                self.conn, {"key": change.key, "token_hash": hash_token(token), **new}
            )
            self.tokens[change.key] = token
            return change.action.value
        row = stored.device(self.conn, change.key)
        assert row is not None, change.key
        stored.update_device(self.conn, row.id, new)
        return change.action.value

    def _staff(self, change: Change, new: dict[str, Any], branch_id: int | None) -> str:
        if "branches" in new:
            new["branch_ids"] = self._branch_id_list(new.pop("branches") or [])
        if change.action == Action.CREATE:
            # No password in a set-up: nobody knows this one, so the user cannot log in until
            # an administrator sets a password (/admin, or `skranke set-password`).
            unusable = hash_password(secrets.token_urlsafe(32))
            stored.insert_staff(
                self.conn, {"username": change.key, "password_hash": unusable, **new}
            )
            return change.action.value
        row = stored.staff_user(self.conn, change.key)
        assert row is not None, change.key
        stored.update_staff(self.conn, row.id, new)
        return change.action.value

    def _branch_id_list(self, keys: Iterable[str]) -> list[int]:
        return [self._branch_id(k) for k in keys]


def _removed(change: Change) -> bool:
    # Left out of the set-up, as opposed to kept with `active = false`, which must stay.
    return change.action == Action.DEACTIVATE and change.left_out
