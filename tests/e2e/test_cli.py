"""The command line as a researcher uses it, on SQLite and PostgreSQL: import, read, export, verify."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from servanda.cli.main import app
from servanda.record.bundles import write_bundle
from tests import factories as f

BUNDLE = """\
sources:
  - id: un-a-49-765
    title: UN document A/49/765
    url: https://undocs.org/A/49/765
actors:
  - id: ru
    kind: state
    name: Russian Federation
  - id: ua
    kind: state
    name: Ukraine
statements:
  - id: budapest
    kind: commitment
    actor: ru
    date: 1994-12-05
    text: respect the independence and sovereignty and the existing borders of Ukraine
    sources: [un-a-49-765]
    counterparties: [ua]
    commitment: {obligation: respect borders, strength: signed_agreement, category: territorial}
assessments:
  - id: budapest-broken
    statement: budapest
    verdict: broken
    as_of: 2014-03-18
    rationale: Crimea was incorporated into Russia.
    sources: [un-a-49-765]
"""


class Cli:
    def __init__(self, home: Path, db: str) -> None:
        self.home, self.db = home, db
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0) -> Any:
        result = self.runner.invoke(
            app,
            ["--home", str(self.home), "--db", self.db, "--author", "tester", *args],
            catch_exceptions=False,
        )
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(tmp_path: Path, db_url: str) -> Cli:
    return Cli(tmp_path / "home", db_url)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "record.yaml").write_text(BUNDLE, encoding="utf-8")
    return folder


def test_import_then_read_it_back(cli: Cli, bundle: Path) -> None:
    assert "5 entries appended" in cli("import", str(bundle)).stdout
    assert "0 entries appended, 5 records already as given" in cli("import", str(bundle)).stdout
    [row] = cli.json("statements", "--actor", "ru")
    assert (row["id"], row["verdict"]) == ("budapest", "broken")
    shown = cli.json("show", "budapest", "--history")
    assert shown["record"]["commitment"]["strength"] == "signed_agreement"
    assert [a["verdict"] for a in shown["assessments"]] == ["broken"]
    assert shown["history"][0]["author"] == "tester"
    assert {"id": "budapest-broken", "type": "assessment", "role": "statement"} in shown["referenced_by"]
    timeline = cli.json("timeline", "ru")
    assert timeline["statements"][0]["assessments"][0]["verdict"] == "broken"
    assert cli.json("overview")["records"] == {"actor": 2, "assessment": 1, "source": 1, "statement": 1}
    assert [a["id"] for a in cli.json("actors")] == ["ru", "ua"]


def test_show_prints_a_readable_history(cli: Cli, bundle: Path) -> None:
    cli("import", str(bundle))
    changed = bundle / "record.yaml"
    changed.write_text(BUNDLE.replace("respect borders", "respect the borders of 1994"), encoding="utf-8")
    cli("import", str(bundle), "--reason", "obligation quoted in full")
    out = cli("show", "budapest", "--history").stdout
    assert "created" in out and "changed commitment — obligation quoted in full" in out


BAD_INPUTS = {
    "malformed YAML": (
        "record.yaml",
        BUNDLE.replace("    name: Ukraine", "    name: [Ukraine"),
        "not valid YAML",
    ),
    "unknown field": (
        "record.yaml",
        BUNDLE.replace("    name: Ukraine", "    name: Ukraine\n    flag: blue"),
        "record.yaml:12 [flag]: unknown field",
    ),
    "missing actor": (
        "record.yaml",
        BUNDLE.replace("    actor: ru", "    actor: russia"),
        "record.yaml:15 [actor]: 'russia' is not in the record (expected an actor)",
    ),
    "not a date": ("record.yaml", BUNDLE.replace("1994-12-05", "5 Dec 1994"), "record.yaml:16 [date]"),
    "wrong scale": (
        "record.yaml",
        BUNDLE.replace("verdict: broken", "verdict: 'false'"),
        "record.yaml:24 [verdict]: 'false' is not a verdict for a commitment",
    ),
    "not UTF-8": (
        "record.yaml",
        BUNDLE.replace("Ukraine\n", "Ukra\xefne\n", 1).encode("latin-1"),
        "not UTF-8",
    ),
    "contradicts itself": (
        "more.yaml",
        "actors:\n  - id: ru\n    kind: person\n    name: Somebody\n",
        "given twice with different content",
    ),
    "assessed before it was said": (
        "record.yaml",
        BUNDLE.replace("as_of: 2014-03-18", "as_of: 1990"),
        "before budapest was made",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gets_one_clear_message_exit_2_and_changes_nothing(
    cli: Cli, bundle: Path, tmp_path: Path, case: str
) -> None:
    cli("import", str(bundle))
    before = cli.json("overview")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "record.yaml").write_text(BUNDLE.replace("id: ua\n", "id: ua2\n"), encoding="utf-8")
    name, content, words = BAD_INPUTS[case]
    target = bad / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    result = cli("import", str(bad), code=2)
    assert words in result.stderr
    assert "nothing was written" in result.stderr
    assert cli.json("overview") == before
    cli("log", "verify", "--no-projection")


def test_export_imports_back_to_the_same_state(cli: Cli, tmp_path: Path, db_url: str) -> None:
    source_folder = tmp_path / "full"
    write_bundle(f.small_record(), source_folder)
    cli("import", str(source_folder))
    exported = tmp_path / "exported"
    cli("export", str(exported))
    fresh = Cli(tmp_path / "other-home", str(tmp_path / "other.sqlite3"))
    fresh("import", str(exported))
    for command in (["overview"], ["statements"], ["actors"]):
        mine, theirs = cli.json(*command), fresh.json(*command)
        if command == ["overview"]:
            mine.pop("store"), theirs.pop("store")
        assert mine == theirs
    for record in f.small_record():
        assert fresh.json("show", record.id)["record"] == record.body()
    assert "0 entries appended" in cli("import", str(exported)).stdout


def test_claimreview_export_rates_assessed_assertions(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "full"
    write_bundle(f.small_record(), folder)
    cli("import", str(folder))
    out = tmp_path / "reviews.jsonld"
    cli("export", str(out), "--claimreview")
    [review] = json.loads(out.read_text(encoding="utf-8"))
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Our plans do not include occupation"
    assert review["reviewRating"]["alternateName"] == "false"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["itemReviewed"]["author"]["name"] == "Vladimir Putin"
    assert "disputed by ru" in review["reviewRating"]["ratingExplanation"]


def test_capture_stores_the_file_by_hash_and_detects_duplicates(
    cli: Cli, bundle: Path, tmp_path: Path
) -> None:
    cli("import", str(bundle))
    evidence = tmp_path / "memorandum.pdf"
    evidence.write_bytes(b"%PDF-1.4 the memorandum")
    first = cli("capture", str(evidence), "--source", "un-a-49-765").stdout
    assert "captured" in first
    again = cli("capture", str(evidence), "--source", "un-a-49-765").stdout
    assert "already captured" in again
    # the source lists its captured copy among what refers to it
    [capture] = [r for r in cli.json("show", "un-a-49-765")["referenced_by"] if r["type"] == "capture"]
    assert capture["id"] == first.split()[3] and capture["role"] == "source"
    shown = cli.json("show", capture["id"])
    assert shown["record"]["source"] == "un-a-49-765"
    stored = tmp_path / "home" / "captures" / shown["record"]["sha256"][:2] / shown["record"]["sha256"]
    assert stored.read_bytes() == evidence.read_bytes()
    assert cli("capture", str(evidence), "--source", "nope", code=2).stderr


def test_log_commands_sign_prove_and_verify(cli: Cli, bundle: Path) -> None:
    cli("init")
    key = cli.home / "log.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    cli("import", str(bundle))
    note = cli("log", "checkpoint").stdout
    assert note.splitlines()[1] == "5" and "\n\n— " in note
    proof = json.loads(cli("log", "proof", "inclusion", "2").stdout)
    assert proof["tree_size"] == 5 and len(proof["proof"]) == 3
    consistency = json.loads(cli("log", "proof", "consistency", "2", "5").stdout)
    assert consistency["old_size"] == 2 and consistency["proof"]
    assert "not defined" in cli("log", "proof", "consistency", "0", "5", code=2).stderr
    assert "OK" in cli("log", "verify").stdout
    old_key = (cli.home / "log.key").read_text()
    # a new key cannot vouch for checkpoints signed by the old one
    other_key = cli("log", "keygen", "--force").stdout.strip()
    _name, key_id, _public = other_key.split("+", 2)
    assert len(key_id) == 8
    assert "no signature from a known key" in cli("log", "verify", code=1).stderr
    # ...but the old verifier key, given explicitly, still verifies them
    from servanda.ledger.note import Signer

    old_verifier = Signer.from_key(old_key.strip()).verifier_key()
    assert "OK" in cli("log", "verify", "--key", old_verifier).stdout


def test_reading_a_record_that_does_not_exist_says_how_to_create_it(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", str(tmp_path / "none.sqlite3"))
    assert "servanda init" in cli("overview", code=3).stderr


def test_checkpoint_is_not_signed_twice_for_the_same_size(cli: Cli, bundle: Path) -> None:
    cli("init")
    cli("import", str(bundle))
    first = cli("log", "checkpoint").stdout
    assert cli("log", "checkpoint").stdout == first
    assert "1 checkpoints" in cli("log", "verify").stdout
    assert cli("log", "checkpoint", "--force").stdout == first  # Ed25519 signatures are deterministic
    assert "2 checkpoints" in cli("log", "verify").stdout
    assert cli.json("overview")["latest_checkpoint"]["size"] == 5


def test_exported_captures_carry_their_files_to_another_store(cli: Cli, bundle: Path, tmp_path: Path) -> None:
    cli("import", str(bundle))
    evidence = tmp_path / "memorandum.txt"
    evidence.write_text("the memorandum, as published", encoding="utf-8")
    cli("capture", str(evidence), "--source", "un-a-49-765")
    exported = tmp_path / "exported"
    cli("export", str(exported))
    [carried] = (exported / "files").iterdir()
    other = Cli(tmp_path / "other-home", str(tmp_path / "other.sqlite3"))
    other("import", str(exported))
    stored = tmp_path / "other-home" / "captures" / carried.name[:2] / carried.name
    assert stored.read_bytes() == evidence.read_bytes()


def test_a_bundle_file_that_does_not_match_its_capture_is_refused(
    cli: Cli, bundle: Path, tmp_path: Path
) -> None:
    cli("import", str(bundle))
    evidence = tmp_path / "memorandum.txt"
    evidence.write_text("the memorandum, as published", encoding="utf-8")
    cli("capture", str(evidence), "--source", "un-a-49-765")
    exported = tmp_path / "exported"
    cli("export", str(exported))
    [carried] = (exported / "files").iterdir()
    carried.write_text("something else", encoding="utf-8")
    other = Cli(tmp_path / "other-home", str(tmp_path / "other.sqlite3"))
    result = other("import", str(exported), code=2)
    assert "does not match capture" in result.stderr


def test_rebuild_restores_an_edited_projection(cli: Cli, bundle: Path, db_url: str) -> None:
    cli("import", str(bundle))
    from sqlalchemy import update

    from servanda.store.database import Store
    from servanda.store.schema import statements

    store = Store(db_url)
    with store.write() as connection:
        connection.execute(update(statements).where(statements.c.id == "budapest").values(text="rewritten"))
    store.dispose()
    assert "table statements" in cli("log", "verify", code=1).stderr
    assert "rebuilt the projection of 5 records" in cli("rebuild").stdout
    assert "OK" in cli("log", "verify").stdout
    assert cli.json("show", "budapest")["record"]["text"].startswith("respect the independence")


def test_schema_describes_every_section(cli: Cli) -> None:
    document = json.loads(cli("schema").stdout)
    assert set(document["properties"]) == {
        "actors",
        "sources",
        "captures",
        "agreements",
        "statements",
        "events",
        "assessments",
    }
    statement = json.loads(cli("schema", "statements").stdout)
    assert statement["$ref"] == "#/$defs/Statement"


def test_recall_and_contradictions_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "full"
    write_bundle(f.small_record(), folder)
    cli("import", str(folder))
    found = cli.json("recall", "ru", "оккупация")
    [hit] = found["statements"]
    assert hit["id"] == "a1" and hit["snippet"] == "Наши планы не предусматривают [оккупацию]"
    assert hit["history"][0]["verdict"] == "false"
    out = cli("recall", "ru", "--since", "2022").stdout
    assert "a1" in out and "Vladimir Putin" in out
    assert "--ago" in cli("recall", "ru", "--ago", "soon", code=2).stderr
    report = cli.json("contradictions", "ru")
    assert [c["id"] for c in report["contradictions"]] == ["c1", "a1"]
    assert "nothing in the record" in cli("contradictions", "nobody", code=1).stderr
    timeline = cli.json("timeline", "a1")
    assert [item["kind"] for item in timeline["timeline"]] == ["said", "verdict"]


def test_verify_catches_a_damaged_search_index(bundle: Path, tmp_path: Path) -> None:
    # SQLite only: PostgreSQL keeps its GIN index consistent by itself
    db_url = str(tmp_path / "fts.sqlite3")
    cli = Cli(tmp_path / "home", db_url)
    cli("import", str(bundle))
    import sqlite3

    raw = sqlite3.connect(db_url)
    # remove the statement from the FTS index only, behind the triggers' back
    doc, terms = raw.execute("SELECT doc, terms FROM statement_terms").fetchone()
    raw.execute(
        "INSERT INTO statement_fts(statement_fts, rowid, terms) VALUES ('delete', ?, ?)", (doc, terms)
    )
    raw.commit()
    raw.close()
    assert "full-text index" in cli("log", "verify", code=1).stderr
    cli("rebuild")
    assert "OK" in cli("log", "verify").stdout


def test_a_dry_run_checks_everything_and_writes_nothing(cli: Cli, bundle: Path, tmp_path: Path) -> None:
    # no record yet: checked against an empty one, and still none afterwards
    assert "5 entries would be appended" in cli("import", str(bundle), "--dry-run").stdout
    after = cli.runner.invoke(app, ["--home", str(cli.home), "--db", cli.db, "overview", "--json"])
    assert after.exit_code == 3 or json.loads(after.stdout)["log_size"] == 0  # 3: no record was created
    cli("import", str(bundle))
    size = cli.json("overview")["log_size"]
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "record.yaml").write_text(BUNDLE.replace("Ukraine\n", "Ukraine (changed)\n", 1), "utf-8")
    assert "1 entries would be appended" in cli("import", str(changed), "--dry-run").stdout
    assert cli.json("overview")["log_size"] == size
    # a dry run finds what only the write path can: a verdict from the wrong scale
    (changed / "record.yaml").write_text(BUNDLE.replace("verdict: broken", "verdict: 'false'"), "utf-8")
    assert "not a verdict for a commitment" in cli("import", str(changed), "--dry-run", code=2).stderr
