"""Accounts on SQLite and PostgreSQL: sign-in, rate limits, tokens, sessions, and the review of verdicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from servanda.accounts import Account, AccountService, DraftStatus, Passwords, Role, VerdictDrafts
from servanda.cli.main import app
from servanda.errors import BundleError, Forbidden, InvalidInput, NotAuthenticated, NotFound, RateLimited
from servanda.record import queries
from servanda.record.bootstrap import RecordHandle, open_record
from servanda.record.integrity import verify
from servanda.record.replay import decode_entries, rebuild_projection
from servanda.settings import Settings
from servanda.store import migrate
from servanda.store.log_storage import SqlLogStorage
from servanda.store.schema import ACCOUNT_TABLES, accounts, api_tokens, login_failures, sessions
from tests import factories as f
from tests.integration.helpers import log_size

PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves by hand, so that windows and expiries pass without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def cheap_passwords() -> Passwords:
    # the lowest argon2id costs: the tests check behaviour, not the costs, and run hundreds of hashes
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(handle: RecordHandle, clock: Clock) -> AccountService:
    return AccountService(handle.store, passwords=cheap_passwords(), clock=clock)


def _dump(handle: RecordHandle, table: object) -> str:
    with handle.store.read() as connection:
        return repr(connection.execute(select(table)).all())  # type: ignore[call-overload]


# --- accounts and signing in ---------------------------------------------------------------------------


def test_the_right_password_signs_in_and_a_wrong_one_does_not(service: AccountService) -> None:
    added = service.add_user("alice", PASSWORD, "editor", display_name="  Alice   Example ")
    assert added.display_name == "Alice Example"
    assert service.authenticate("alice", PASSWORD, "10.0.0.1") == added
    assert service.authenticate("Alice", PASSWORD) == added  # names are lowercase
    with pytest.raises(NotAuthenticated, match="wrong account name or password"):
        service.authenticate("alice", PASSWORD + "!", "10.0.0.1")
    with pytest.raises(NotAuthenticated, match="wrong account name or password"):
        service.authenticate("nobody", PASSWORD, "10.0.0.1")


def test_passwords_are_stored_only_as_argon2id_hashes(handle: RecordHandle, service: AccountService) -> None:
    service.add_user("alice", PASSWORD, Role.EDITOR)
    with handle.store.read() as connection:
        stored = connection.execute(select(accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in _dump(handle, accounts)


def test_bad_input_is_refused_and_changes_nothing(handle: RecordHandle, service: AccountService) -> None:
    service.add_user("alice", PASSWORD, "editor")
    before = _dump(handle, accounts)
    with pytest.raises(InvalidInput, match="already an account named 'alice'"):
        service.add_user("alice", PASSWORD, "admin")
    with pytest.raises(InvalidInput, match="too short"):
        service.add_user("bob", "short", "editor")
    with pytest.raises(InvalidInput, match="no role 'boss'"):
        service.add_user("bob", PASSWORD, "boss")
    with pytest.raises(InvalidInput, match="lowercase letters"):
        service.add_user("Bob Smith", PASSWORD, "editor")
    with pytest.raises(NotFound, match="no account named 'bob'"):
        service.set_role("bob", "admin")
    with pytest.raises(InvalidInput, match="too short"):
        service.set_password("alice", "short")
    assert _dump(handle, accounts) == before


def test_the_last_active_admin_cannot_be_demoted_or_disabled(service: AccountService) -> None:
    service.add_user("root", PASSWORD, "admin")
    with pytest.raises(InvalidInput, match="only active admin"):
        service.set_role("root", "editor")
    with pytest.raises(InvalidInput, match="only active admin"):
        service.disable("root")
    service.add_user("second", PASSWORD, "admin")
    assert service.set_role("root", "reviewer").role is Role.REVIEWER
    assert [(u.name, u.role) for u in service.list_users()] == [
        ("root", Role.REVIEWER),
        ("second", Role.ADMIN),
    ]


def test_a_disabled_account_cannot_sign_in_or_use_its_session_or_tokens(service: AccountService) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    token, _info = service.create_token(alice, "script")
    session_id, _csrf = service.open_session(alice)
    service.disable("alice")
    with pytest.raises(NotAuthenticated, match="disabled"):
        service.authenticate("alice", PASSWORD)
    with pytest.raises(NotAuthenticated, match="disabled"):
        service.account_for_token(token)
    with pytest.raises(NotAuthenticated):
        service.account_for_session(session_id)  # disabling closed it
    service.enable("alice")
    assert service.authenticate("alice", PASSWORD).name == "alice"
    assert service.account_for_token(token).name == "alice"


def test_a_new_password_ends_the_sessions_and_replaces_the_old(service: AccountService) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    session_id, _ = service.open_session(alice)
    service.set_password("alice", "a different passphrase")
    with pytest.raises(NotAuthenticated):
        service.account_for_session(session_id)
    with pytest.raises(NotAuthenticated):
        service.authenticate("alice", PASSWORD)
    assert service.authenticate("alice", "a different passphrase").name == "alice"


def test_signing_in_rehashes_a_password_made_at_older_costs(
    handle: RecordHandle, service: AccountService, clock: Clock
) -> None:
    service.add_user("alice", PASSWORD, "editor")
    dearer = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    upgraded = AccountService(handle.store, passwords=dearer, clock=clock)
    upgraded.authenticate("alice", PASSWORD)
    with handle.store.read() as connection:
        stored = connection.execute(select(accounts.c.password_hash)).scalar_one()
    assert "m=16,t=2,p=1" in stored
    assert not dearer.needs_rehash(stored)
    assert service.authenticate("alice", PASSWORD).name == "alice"


# --- rate limiting ---------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_until_the_window_passes(
    service: AccountService, clock: Clock
) -> None:
    service.add_user("alice", PASSWORD, "editor")
    for _ in range(5):
        clock.advance(seconds=30)
        with pytest.raises(NotAuthenticated) as failed:
            service.authenticate("alice", "wrong guess 123", "10.0.0.1")
        assert not isinstance(failed.value, RateLimited)
    # locked: even the right password is refused, and the message says for how long
    with pytest.raises(RateLimited, match="try again in 13 minutes") as locked:
        service.authenticate("alice", PASSWORD, "10.0.0.2")
    assert 12 * 60 < locked.value.retry_after_s <= 13 * 60
    # attempts while locked do not extend the lock
    clock.advance(minutes=10)
    with pytest.raises(RateLimited, match="try again in 3 minutes"):
        service.authenticate("alice", PASSWORD, "10.0.0.2")
    clock.advance(minutes=3)  # the first failure has left the window: four remain
    assert service.authenticate("alice", PASSWORD, "10.0.0.2").name == "alice"
    # success cleared the account's failures: it takes five new ones to lock it again
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            service.authenticate("alice", "wrong guess 123", "10.0.0.3")
    assert service.authenticate("alice", PASSWORD, "10.0.0.3").name == "alice"


def test_one_address_guessing_many_names_is_locked_out(service: AccountService, clock: Clock) -> None:
    service.add_user("alice", PASSWORD, "editor")
    for number in range(20):
        with pytest.raises(NotAuthenticated):
            service.authenticate(f"user{number}", "wrong guess 123", "203.0.113.9")
    with pytest.raises(RateLimited, match="this address"):
        service.authenticate("alice", PASSWORD, "203.0.113.9")
    assert service.authenticate("alice", PASSWORD, "198.51.100.1").name == "alice"  # another address
    clock.advance(minutes=16)
    assert service.authenticate("alice", PASSWORD, "203.0.113.9").name == "alice"


def test_the_failure_count_is_shared_by_every_service_on_the_store(
    handle: RecordHandle, service: AccountService, clock: Clock
) -> None:
    service.add_user("alice", PASSWORD, "editor")
    other_worker = AccountService(handle.store, passwords=cheap_passwords(), clock=clock)
    for worker in [service, other_worker] * 2 + [service]:
        with pytest.raises(NotAuthenticated):
            worker.authenticate("alice", "wrong guess 123")
    with pytest.raises(RateLimited):
        other_worker.authenticate("alice", PASSWORD)
    clock.advance(hours=1)
    with pytest.raises(NotAuthenticated):
        service.authenticate("bob", "wrong guess 123")  # a new failure prunes the ones out of every window
    with handle.store.read() as connection:
        keys = connection.execute(select(login_failures.c.key)).scalars().all()
    assert keys == ["name:bob"]


# --- API tokens ------------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_only_as_a_hash(
    handle: RecordHandle, service: AccountService, clock: Clock
) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    token, info = service.create_token(alice, "  newsroom   importer ")
    assert info.label == "newsroom importer" and info.account == "alice" and info.active
    assert token not in _dump(handle, api_tokens)
    assert token.split("_", 2)[2] not in _dump(handle, api_tokens)
    assert service.account_for_token(token) == alice
    clock.advance(minutes=1)
    [listed] = service.list_tokens("alice")
    assert listed.id == info.id and listed.last_used_at == "2026-03-01T09:00:00.000Z"


def test_unknown_forged_and_revoked_tokens_are_refused(service: AccountService) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    token, info = service.create_token(alice, "script")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in [forged, "svd_000000000000_secret", "not a token", ""]:
        with pytest.raises(NotAuthenticated, match="not valid"):
            service.account_for_token(bad)
    revoked = service.revoke_token(info.id)
    assert not revoked.active
    with pytest.raises(NotAuthenticated, match="not valid"):
        service.account_for_token(token)
    with pytest.raises(NotFound, match="no API token"):
        service.revoke_token("000000000000")
    with pytest.raises(InvalidInput, match="label"):
        service.create_token(alice, "   ")


# --- sessions --------------------------------------------------------------------------------------------


def test_a_session_lasts_while_used_and_expires_when_idle(
    handle: RecordHandle, service: AccountService, clock: Clock
) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    session_id, csrf = service.open_session(alice)
    assert session_id not in _dump(handle, sessions)
    assert csrf == service.csrf_token(session_id)
    for _ in range(3):
        clock.advance(hours=11)  # each use within 12 hours keeps it alive
        assert service.account_for_session(session_id) == alice
    clock.advance(hours=12, seconds=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        service.account_for_session(session_id)


def test_a_session_ends_after_seven_days_however_busy(service: AccountService, clock: Clock) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    session_id, _ = service.open_session(alice)
    for _ in range(13):
        clock.advance(hours=12)
        service.account_for_session(session_id)
    clock.advance(hours=12, minutes=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        service.account_for_session(session_id)


def test_signing_out_closes_the_session(service: AccountService) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    session_id, _ = service.open_session(alice)
    assert service.close_session(session_id)
    assert not service.close_session(session_id)
    with pytest.raises(NotAuthenticated, match="not signed in"):
        service.account_for_session(session_id)


def test_a_form_needs_its_own_session_csrf_token(service: AccountService) -> None:
    alice = service.add_user("alice", PASSWORD, "editor")
    mine, csrf = service.open_session(alice)
    _other, other_csrf = service.open_session(alice)
    service.check_csrf(mine, csrf)
    for wrong in [other_csrf, None, "", csrf.upper()]:
        with pytest.raises(Forbidden, match="CSRF"):
            service.check_csrf(mine, wrong)


# --- reviewing verdicts ----------------------------------------------------------------------------------


@pytest.fixture
def people(service: AccountService) -> dict[str, Account]:
    return {
        name: service.add_user(name, PASSWORD, role)
        for name, role in [("ed", "editor"), ("rev", "reviewer"), ("rev2", "reviewer"), ("adm", "admin")]
    }


def _draft_body() -> dict[str, object]:
    return f.assessment("c1-kept-2010", "c1", "kept", "2010", rationale="respected then").body()


def test_a_reviewer_publishes_an_editors_draft_as_one_attributed_entry(
    handle: RecordHandle, people: dict[str, Account]
) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    draft = drafts.submit(people["ed"], _draft_body(), reason="checked against the 2010 OSCE report")
    assert [d.id for d in drafts.pending()] == [draft.id]
    size = log_size(handle)
    published, result = drafts.publish(draft.id, people["rev"], note="fine")
    assert log_size(handle) == size + 1
    [entry] = result.entries
    assert entry.author == "ed"
    assert entry.body["reason"] == (
        f"checked against the 2010 OSCE report; reviewed and published by rev (draft #{draft.id})"
    )
    assert entry.body["record"]["id"] == "c1-kept-2010"
    assert (published.status, published.reviewer, published.seq) == (DraftStatus.PUBLISHED, "rev", entry.seq)
    assert drafts.pending() == []
    with handle.store.read() as connection:
        assert [a.verdict for a in queries.assessment_history(connection, "c1")] == ["kept", "broken"]
    with pytest.raises(InvalidInput, match="already published by rev"):
        drafts.publish(draft.id, people["rev2"])


def test_no_one_publishes_their_own_draft_and_an_editor_publishes_none(
    handle: RecordHandle, people: dict[str, Account]
) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    own = drafts.submit(people["rev"], _draft_body())
    size = log_size(handle)
    with pytest.raises(Forbidden, match="rev wrote this verdict and cannot also publish it"):
        drafts.publish(own.id, people["rev"])
    with pytest.raises(Forbidden, match=r"only a reviewer or admin may publish.*ed \(editor\)"):
        drafts.publish(own.id, people["ed"])
    with pytest.raises(Forbidden):
        drafts.reject(own.id, people["rev"], "withdrawn by its author")
    assert log_size(handle) == size
    assert drafts.get(own.id).status is DraftStatus.PENDING
    published, _ = drafts.publish(own.id, people["adm"])  # an admin reviews under the same rule
    assert published.reviewer == "adm"


def test_a_reader_cannot_submit_and_a_bad_draft_is_refused_at_once(
    handle: RecordHandle, service: AccountService, people: dict[str, Account]
) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    reader = service.add_user("reader1", PASSWORD, "reader")
    with pytest.raises(Forbidden, match="only an editor"):
        drafts.submit(reader, _draft_body())
    with pytest.raises(BundleError, match="not a verdict for a commitment"):
        drafts.submit(people["ed"], {**_draft_body(), "verdict": "false"})
    with pytest.raises(BundleError, match="not in the record"):
        drafts.submit(people["ed"], {**_draft_body(), "statement": "no-such-statement"})
    with pytest.raises(BundleError, match="required field is missing"):
        drafts.submit(people["ed"], {"id": "x1", "statement": "c1"})
    with pytest.raises(InvalidInput, match="already holds exactly this assessment"):
        drafts.submit(people["ed"], next(r for r in f.small_record() if r.id.startswith("c1-")).body())
    first = drafts.submit(people["ed"], _draft_body())
    with pytest.raises(InvalidInput, match=f"draft #{first.id} .* is already waiting"):
        drafts.submit(people["ed"], {**_draft_body(), "rationale": "another view"})
    assert [d.id for d in drafts.pending()] == [first.id]


def test_a_rejected_draft_keeps_the_note_and_writes_nothing_to_the_log(
    handle: RecordHandle, people: dict[str, Account]
) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    draft = drafts.submit(people["ed"], _draft_body())
    size = log_size(handle)
    with pytest.raises(InvalidInput, match="say why"):
        drafts.reject(draft.id, people["rev"], "  ")
    rejected = drafts.reject(draft.id, people["rev"], "the 2010 report says the opposite")
    assert (rejected.status, rejected.note) == (DraftStatus.REJECTED, "the 2010 report says the opposite")
    assert log_size(handle) == size
    with pytest.raises(InvalidInput, match="already rejected"):
        drafts.publish(draft.id, people["rev2"])
    with pytest.raises(NotFound, match="no verdict draft #999"):
        drafts.get(999)


def test_publishing_is_all_or_nothing(handle: RecordHandle, people: dict[str, Account]) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    draft = drafts.submit(people["ed"], _draft_body())
    # meanwhile someone writes the very same assessment directly: publishing would add nothing
    handle.service.put(drafts.get(draft.id).assessment, "someone")
    size = log_size(handle)
    with pytest.raises(InvalidInput, match="reject draft"):
        drafts.publish(draft.id, people["rev"])
    assert log_size(handle) == size
    assert drafts.get(draft.id).status is DraftStatus.PENDING


# --- the log ignores accounts ----------------------------------------------------------------------------


def test_verify_and_rebuild_leave_accounts_alone(
    handle: RecordHandle, service: AccountService, people: dict[str, Account]
) -> None:
    handle.service.apply(f.small_record(), "tester")
    drafts = VerdictDrafts(handle.service)
    drafts.publish(drafts.submit(people["ed"], _draft_body()).id, people["rev"])
    service.open_session(people["ed"])
    service.create_token(people["ed"], "script")
    before = {table.name: _dump(handle, table) for table in ACCOUNT_TABLES}
    with handle.store.read() as connection:
        report = verify(connection, SqlLogStorage(connection), [])
    assert report.ok, report.problems
    with handle.store.write() as connection:
        rebuild_projection(connection, decode_entries(SqlLogStorage(connection).iter_entry_data()))
    assert {table.name: _dump(handle, table) for table in ACCOUNT_TABLES} == before
    with handle.store.read() as connection:
        assert verify(connection, SqlLogStorage(connection), []).ok


def test_a_store_made_before_accounts_gains_them_on_opening(settings: Settings, handle: RecordHandle) -> None:
    handle.service.apply(f.small_record(), "tester")
    with handle.store.write() as connection:
        command.downgrade(migrate._config(connection), "0001")
        assert not inspect(connection).has_table("accounts")
    handle.close()
    reopened = open_record(settings)
    try:
        with reopened.store.read() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
        service = AccountService(reopened.store, passwords=cheap_passwords())
        service.add_user("alice", PASSWORD, "admin")
        assert service.authenticate("alice", PASSWORD).role is Role.ADMIN
        assert log_size(reopened) == len(f.small_record())
    finally:
        reopened.close()


# --- the command line ------------------------------------------------------------------------------------


def test_the_first_admin_is_added_from_the_command_line(
    handle: RecordHandle, db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--home", str(tmp_path / "home"), "--db", db_url, "user"]
    added = runner.invoke(
        app, [*base, "add", "root", "--role", "admin", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.stderr
    assert "added root (admin)" in added.stdout
    service = AccountService(handle.store)
    assert service.authenticate("root", PASSWORD).role is Role.ADMIN
    short = runner.invoke(app, [*base, "add", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "too short" in short.stderr
    listed = runner.invoke(app, [*base, "list", "--json"])
    assert [(u["name"], u["role"]) for u in json.loads(listed.stdout)] == [("root", "admin")]
    created = runner.invoke(app, [*base, "token", "create", "root", "--label", "ci"])
    assert created.exit_code == 0, created.stderr
    token = created.stdout.strip()
    assert service.account_for_token(token).name == "root"
    token_id = token.split("_")[1]
    assert token_id in runner.invoke(app, [*base, "token", "list", "root"]).stdout
    revoked = runner.invoke(app, [*base, "token", "revoke", token_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    demoted = runner.invoke(app, [*base, "role", "root", "editor"])
    assert demoted.exit_code == 2 and "only active admin" in demoted.stderr
    missing = runner.invoke(app, [*base, "disable", "nobody"])
    assert missing.exit_code == 1 and "no account named 'nobody'" in missing.stderr
