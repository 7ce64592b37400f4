"""The pure parts of accounts: the role ladder and its checks, names, and the password policy."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from servanda.accounts import Account, Passwords, Role, can_manage_accounts, can_publish_verdict, can_write
from servanda.accounts.model import stamp, validate_name
from servanda.accounts.passwords import MIN_LENGTH, check_policy
from servanda.accounts.roles import (
    can_review,
    parse_role,
    require_admin,
    require_publish,
    require_review,
    require_write,
)
from servanda.errors import Forbidden, InvalidInput

EDITOR = Account("ed", Role.EDITOR)
REVIEWER = Account("rev", Role.REVIEWER)
ADMIN = Account("adm", Role.ADMIN)


def test_each_role_may_do_what_the_roles_below_it_may() -> None:
    assert [can_write(role) for role in Role] == [False, True, True, True]
    assert [can_review(role) for role in Role] == [False, False, True, True]
    assert [can_manage_accounts(role) for role in Role] == [False, False, False, True]


def test_a_reviewer_or_admin_publishes_a_verdict_unless_they_wrote_it() -> None:
    assert can_publish_verdict(REVIEWER, "ed")
    assert can_publish_verdict(ADMIN, "ed")
    assert not can_publish_verdict(REVIEWER, "rev")
    assert not can_publish_verdict(ADMIN, "adm")
    assert not can_publish_verdict(EDITOR, "someone-else")
    assert not can_publish_verdict(None, "ed")
    assert not can_publish_verdict(Account("rev2", Role.REVIEWER, disabled=True), "ed")


def test_refusals_name_the_role_needed() -> None:
    with pytest.raises(
        Forbidden, match=r"only a reviewer or admin may publish or reject verdicts; ed \(editor\)"
    ):
        require_review(EDITOR)
    with pytest.raises(
        Forbidden, match="only an editor, reviewer or admin may add or correct records; a reader"
    ):
        require_write(None)
    with pytest.raises(Forbidden, match=r"only an admin may manage accounts; rev \(reviewer\) may not"):
        require_admin(REVIEWER)
    with pytest.raises(Forbidden, match="rev wrote this verdict and cannot also publish it"):
        require_publish(REVIEWER, "rev")
    assert require_publish(REVIEWER, "ed") is REVIEWER
    assert require_write(EDITOR) is EDITOR


def test_roles_parse_from_text_and_unknown_roles_are_listed() -> None:
    assert parse_role(" Admin ") is Role.ADMIN
    with pytest.raises(InvalidInput, match="use one of reader, editor, reviewer, admin"):
        parse_role("superuser")


@pytest.mark.parametrize("name", ["ab", "alice", "a.b-c_d", "0day", "x" * 64])
def test_good_account_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["a", "Alice", "-x", ".hidden", "a b", "x" * 65, "ünï", "a@b", ""])
def test_bad_account_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidInput, match="2 to 64 lowercase letters"):
        validate_name(name)


def test_password_policy() -> None:
    check_policy("x" * MIN_LENGTH)
    with pytest.raises(InvalidInput, match=r"too short \(5 characters\): use at least 12"):
        check_policy("short")
    with pytest.raises(InvalidInput, match="too long"):
        check_policy("x" * 5000)
    with pytest.raises(InvalidInput, match="only spaces"):
        check_policy(" " * 20)
    with pytest.raises(InvalidInput, match="must not be the account name"):
        check_policy("alice.example", "alice.example")


def test_passwords_are_argon2id_and_old_costs_are_due_a_rehash() -> None:
    cheap = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    hashed = cheap.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse battery" not in hashed
    assert cheap.verify(hashed, "correct horse battery")
    assert not cheap.verify(hashed, "correct horse batterx")
    assert not cheap.verify("not a hash", "correct horse battery")
    assert not cheap.needs_rehash(hashed)
    dearer = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert dearer.needs_rehash(hashed)
    assert dearer.verify(hashed, "correct horse battery")  # an old hash still verifies


def test_only_argon2id_is_accepted() -> None:
    from argon2 import Type

    with pytest.raises(ValueError, match="argon2id only"):
        Passwords(PasswordHasher(type=Type.I))


def test_times_are_fixed_width_utc_text() -> None:
    from datetime import datetime, timedelta, timezone

    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert stamp(moment) == "2026-01-02T01:04:05.000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        stamp(datetime(2026, 1, 2))
