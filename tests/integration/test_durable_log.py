"""The durable log: proofs from stored hashes, checkpoints, and verify catching every kind of tampering."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, text, update

from servanda.ledger.log import Log
from servanda.ledger.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from servanda.ledger.note import Signer, Verifier, generate_signer_key, sign_note
from servanda.record.bootstrap import RecordHandle
from servanda.record.checkpoints import create_key, local_verifier, sign_checkpoint
from servanda.record.integrity import VerifyReport, verify
from servanda.store.log_storage import SqlLogStorage
from servanda.store.schema import log_checkpoints, log_entries, log_nodes, records, statements
from tests import factories as f


def _verify(handle: RecordHandle) -> VerifyReport:
    verifier = local_verifier(handle.settings)
    with handle.store.read() as connection:
        return verify(connection, SqlLogStorage(connection), [verifier] if verifier else [])


@pytest.fixture
def signed(handle: RecordHandle) -> Iterator[RecordHandle]:
    """A record with a key, some entries and two checkpoints."""
    create_key(handle.settings)
    handle.service.apply(f.small_record()[:5], "tester")
    sign_checkpoint(handle.store, handle.settings)
    handle.service.apply(f.small_record()[5:], "tester")
    sign_checkpoint(handle.store, handle.settings)
    yield handle


def test_roots_and_proofs_from_stored_hashes_equal_the_in_memory_tree(handle: RecordHandle) -> None:
    rng = random.Random(7)
    handle.service.apply([f.source()], "t")
    for batch in range(12):  # uneven batches exercise every frontier shape
        size = rng.randint(1, 9)
        handle.service.apply([f.source(f"s-{batch}-{i}") for i in range(size)], "t")
    tree = MerkleTree()
    with handle.store.read() as connection:
        storage = SqlLogStorage(connection)
        for _seq, data in storage.iter_entry_data():
            tree.append(data)
        log = Log(storage)
        n = log.size
        assert n == tree.size
        for size in range(1, n + 1):
            assert log.root(size) == tree.root(size)
            for index in rng.sample(range(size), min(size, 3)):
                proof = log.inclusion_proof(index, size)
                assert proof == tree.inclusion_proof(index, size)
                verify_inclusion(leaf_hash(log.entry(index).data), index, size, proof, log.root(size))
            old = rng.randint(1, size)
            consistency = log.consistency_proof(old, size)
            assert consistency == tree.consistency_proof(old, size)
            verify_consistency(old, size, log.root(old), log.root(size), consistency)


def test_an_untouched_record_verifies(signed: RecordHandle) -> None:
    report = _verify(signed)
    assert report.ok, report.problems
    assert report.entries == len(f.small_record())
    assert report.checkpoints == 2
    assert report.records == len(f.small_record())


def _problem(handle: RecordHandle) -> str:
    report = _verify(handle)
    assert not report.ok
    return report.problems[0]


def test_verify_catches_an_edited_byte_in_an_entry(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        data = connection.execute(select(log_entries.c.data).where(log_entries.c.seq == 3)).scalar_one()
        edited = (
            bytes(data).replace(b"ru", b"rv", 1)
            if b"ru" in bytes(data)
            else bytes(data).replace(b"a", b"b", 1)
        )
        connection.execute(update(log_entries).where(log_entries.c.seq == 3).values(data=edited))
    assert "entry 3" in _problem(signed)


def test_verify_catches_an_edited_entry_whose_hash_was_also_rewritten(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        data = bytes(
            connection.execute(select(log_entries.c.data).where(log_entries.c.seq == 0)).scalar_one()
        )
        edited = data.replace(b"Source src-un", b"Source forged")
        assert edited != data
        connection.execute(update(log_entries).where(log_entries.c.seq == 0).values(data=edited))
        connection.execute(update(log_nodes).where(log_nodes.c.key == 0).values(hash=leaf_hash(edited)))
    assert "does not match" in _problem(signed)


def test_verify_catches_a_deleted_entry(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        connection.execute(delete(log_entries).where(log_entries.c.seq == 2))
    assert "entry 2 is missing" in _problem(signed)


def test_verify_catches_a_deleted_last_entry(signed: RecordHandle) -> None:
    last = len(f.small_record()) - 1
    with signed.store.write() as connection:
        connection.execute(delete(log_entries).where(log_entries.c.seq == last))
    assert "stored node" in _problem(signed) or "larger log" in _problem(signed)


def test_verify_catches_two_swapped_entries(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        one = connection.execute(select(log_entries.c.data).where(log_entries.c.seq == 1)).scalar_one()
        two = connection.execute(select(log_entries.c.data).where(log_entries.c.seq == 2)).scalar_one()
        connection.execute(update(log_entries).where(log_entries.c.seq == 1).values(data=two))
        connection.execute(update(log_entries).where(log_entries.c.seq == 2).values(data=one))
    assert "entry 1 holds seq 2" in _problem(signed)


def test_verify_catches_a_forged_checkpoint(signed: RecordHandle) -> None:
    forger = Signer.from_key(generate_signer_key("test.servanda.example/log"))
    size = len(f.small_record())
    forged = sign_note(
        f"test.servanda.example/log\n{size}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", forger
    )
    with signed.store.write() as connection:
        connection.execute(log_checkpoints.insert().values(size=size, note=forged, created_at="2026-01-01"))
    assert "does not verify" in _problem(signed)


def test_verify_catches_a_checkpoint_whose_root_was_edited(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        note = connection.execute(
            select(log_checkpoints.c.note).where(log_checkpoints.c.id == 1)
        ).scalar_one()
        lines = note.split("\n")
        lines[2] = lines[2][:-2] + ("A=" if lines[2][-2] != "A" else "B=")
        connection.execute(
            update(log_checkpoints).where(log_checkpoints.c.id == 1).values(note="\n".join(lines))
        )
    assert "checkpoint #1" in _problem(signed)


def test_verify_catches_a_checkpoint_that_does_not_match_the_entries(signed: RecordHandle) -> None:
    # Correctly signed by the real key, but over a root the log never had: the log was rewritten since.
    signer = Signer.from_key(signed.settings.key_path.read_text().strip())
    note = sign_note(f"{signed.settings.origin}\n2\n{'A' * 43}=\n", signer)
    with signed.store.write() as connection:
        connection.execute(log_checkpoints.insert().values(size=2, note=note, created_at="2026-01-01"))
    assert "does not match the entries" in _problem(signed) or "smaller than" in _problem(signed)


def test_verify_checks_checkpoints_against_a_key_given_explicitly(signed: RecordHandle) -> None:
    other = Verifier.from_key(Signer.from_key(generate_signer_key("someone-else")).verifier_key())
    with signed.store.read() as connection:
        report = verify(connection, SqlLogStorage(connection), [other])
    assert not report.ok and "no signature from a known key" in report.problems[0]


@pytest.mark.parametrize("table", ["records", "statements"])
def test_verify_catches_an_edited_row_in_the_projection(signed: RecordHandle, table: str) -> None:
    with signed.store.write() as connection:
        if table == "records":
            connection.execute(update(records).where(records.c.id == "c1").values(sort_date="1999-01-01"))
        else:
            connection.execute(update(statements).where(statements.c.id == "a1").values(text="edited quote"))
    problem = _problem(signed)
    assert f"table {table}" in problem and "rebuild" in problem


def test_verify_catches_a_row_added_to_the_projection(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        connection.execute(
            text("INSERT INTO links (owner_id, role, position, target) VALUES ('c1','source',9,'x')")
        )
    assert "table links holds a row the log does not imply" in _problem(signed)


def test_verify_catches_rows_of_a_record_the_log_never_held(signed: RecordHandle) -> None:
    with signed.store.write() as connection:
        connection.execute(
            text("INSERT INTO links (owner_id, role, position, target) VALUES ('ghost', 'source', 0, 'x')")
        )
    assert "table links holds 1 rows of records the log does not hold" in _problem(signed)


def test_verify_catches_an_edited_voice_and_rebuild_restores_it(signed: RecordHandle) -> None:
    from servanda.record.replay import decode_entries, rebuild_projection
    from servanda.store.schema import statement_terms

    with signed.store.write() as connection:
        connection.execute(update(statement_terms).values(voices="ua"))
    problem = _problem(signed)
    assert "table statement_terms" in problem and "speaks for" in problem and "rebuild" in problem
    with signed.store.write() as connection:
        rebuild_projection(connection, decode_entries(SqlLogStorage(connection).iter_entry_data()))
    assert _verify(signed).ok
