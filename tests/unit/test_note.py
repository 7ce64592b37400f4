"""C2SP signed notes and checkpoints, checked byte for byte against Go's sumdb note package."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servanda.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    generate_signer_key,
    open_note,
    parse_checkpoint,
    sign_note,
    verifier_key_from_signer_key,
    write_private_key,
)

# From the documentation of golang.org/x/mod/sumdb/note.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG_LINE = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ROOT = bytes(range(32))


@pytest.fixture
def signer() -> Signer:
    return Signer.from_key(generate_signer_key("example.org/log"))


def verifier_of(s: Signer) -> Verifier:
    return Verifier.from_key(s.verifier_key())


# -- Go compatibility ------------------------------------------------------------------------------------


def test_signs_go_documentation_example_byte_for_byte() -> None:
    assert sign_note(GO_TEXT, Signer.from_key(GO_SKEY)) == GO_TEXT + "\n" + GO_SIG_LINE


def test_derives_go_documentation_verifier_key() -> None:
    assert verifier_key_from_signer_key(GO_SKEY) == GO_VKEY


def test_opens_go_documentation_note() -> None:
    note = open_note(GO_TEXT + "\n" + GO_SIG_LINE, [Verifier.from_key(GO_VKEY)])
    assert note.text == GO_TEXT
    assert [(s.name, s.key_id) for s in note.sigs] == [("PeterNeumann", 0xC74F20A3)]


# -- keys ------------------------------------------------------------------------------------------------


def test_generated_key_has_the_documented_shape(signer: Signer) -> None:
    skey = generate_signer_key("example.org/log")
    prefix, key, name, kid, b64 = skey.split("+", 4)
    assert (prefix, key, name) == ("PRIVATE", "KEY", "example.org/log")
    assert len(kid) == 8 and int(kid, 16) == Signer.from_key(skey).key_id
    raw = base64.b64decode(b64)
    assert len(raw) == 33 and raw[0] == 1
    assert verifier_key_from_signer_key(skey).startswith(f"example.org/log+{kid}+")


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "tab\there"])
def test_refuses_invalid_key_names(name: str) -> None:
    with pytest.raises(NoteError):
        generate_signer_key(name)


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # key id does not match
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # bad base64
        "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",  # wrong algorithm/length
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        GO_SKEY,
    ],
)
def test_rejects_malformed_verifier_keys(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_key(vkey)


@pytest.mark.parametrize(
    "skey",
    [GO_VKEY, GO_SKEY.replace("c74f20a3", "c74f20a4"), GO_SKEY[:-4], "PRIVATE+KEY+x+00000000+AQ=="],
)
def test_rejects_malformed_signer_keys(skey: str) -> None:
    with pytest.raises(NoteError):
        Signer.from_key(skey)


def test_signer_repr_does_not_show_the_private_key() -> None:
    assert "AYEKFAL" not in repr(Signer.from_key(GO_SKEY))


def test_writes_private_key_file_readable_by_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    write_private_key(path, GO_SKEY)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text() == GO_SKEY + "\n"


def test_refuses_to_overwrite_a_key_file_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    write_private_key(path, GO_SKEY)
    other = generate_signer_key("other")
    with pytest.raises(FileExistsError):
        write_private_key(path, other)
    assert path.read_text() == GO_SKEY + "\n"
    write_private_key(path, other, force=True)
    assert path.read_text() == other + "\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_refuses_to_write_something_that_is_not_a_key(tmp_path: Path) -> None:
    with pytest.raises(NoteError):
        write_private_key(tmp_path / "k", "hello")
    assert not (tmp_path / "k").exists()


# -- notes -----------------------------------------------------------------------------------------------

note_texts = st.lists(
    st.text(st.characters(codec="utf-8", min_codepoint=0x20), max_size=30),
    min_size=1,
    max_size=5,
).map(lambda lines: "".join(line + "\n" for line in lines))


@settings(max_examples=40, deadline=None)
@given(text=note_texts)
def test_signed_note_round_trips(text: str) -> None:
    s = Signer.from_key(GO_SKEY)
    note = open_note(sign_note(text, s), [verifier_of(s)])
    assert note.text == text
    assert [sig.name for sig in note.sigs] == ["PeterNeumann"]


def test_opens_note_given_as_bytes(signer: Signer) -> None:
    assert open_note(sign_note("a\n", signer).encode(), [verifier_of(signer)]).text == "a\n"


def test_note_with_two_signers_verifies_with_either_key(signer: Signer) -> None:
    other = Signer.from_key(generate_signer_key("witness.example"))
    signed = sign_note("hello\n", [signer, other])
    assert [s.name for s in open_note(signed, [verifier_of(other)]).sigs] == ["witness.example"]
    note = open_note(signed, [verifier_of(signer)])
    assert [s.name for s in note.unverified_sigs] == ["witness.example"]


def test_rejects_tampered_text(signer: Signer) -> None:
    signed = sign_note("origin\n5\n", signer)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(signed.replace("5", "6", 1), [verifier_of(signer)])


def test_rejects_tampered_signature(signer: Signer) -> None:
    signed = sign_note("origin\n5\n", signer)
    text, line = signed.rsplit("\n\n", 1)
    name, b64 = line.rstrip("\n").split(" ")[1:]
    blob = bytearray(base64.b64decode(b64))
    blob[10] ^= 1
    forged = f"{text}\n\n— {name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(forged, [verifier_of(signer)])


def test_rejects_note_signed_only_by_unknown_keys(signer: Signer) -> None:
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(sign_note("hello\n", signer), [Verifier.from_key(GO_VKEY)])


def test_rejects_key_with_right_name_but_other_key_id(signer: Signer) -> None:
    impostor = Signer.from_key(generate_signer_key(signer.name))
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(sign_note("hello\n", impostor), [verifier_of(signer)])


@pytest.mark.parametrize("text", ["no newline", "", "bell\a\n", "carriage\r\n"])
def test_refuses_to_sign_invalid_text(signer: Signer, text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, signer)


def test_refuses_duplicate_signers(signer: Signer) -> None:
    with pytest.raises(NoteError):
        sign_note("a\n", [signer, signer])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n.rstrip("\n"),  # no final newline
        lambda n: n.replace("— ", "-- "),  # hyphens for the em dash
        lambda n: n.replace("— ", "—"),  # no space after the dash
        lambda n: n + "\n",  # trailing blank line
        lambda n: n + "— x\n",  # signature line without base64
        lambda n: n + "— x AAAA\n",  # signature too short
        lambda n: n + "— x !!!!\n",  # not base64
        lambda n: n + "— a+b AAAAAAAA\n",  # invalid name
        lambda n: n.replace("\n\n", "\n\n\n"),  # empty signature line
        lambda n: n.replace("hello", "hel\x00lo"),  # control character
        lambda n: n.split("\n\n")[0] + "\n\n",  # no signatures at all
        lambda n: n + "— x AAAAAAAAAA==\n" * 101,  # too many signatures
    ],
)
def test_rejects_malformed_notes(signer: Signer, mutate: object) -> None:
    assert callable(mutate)
    with pytest.raises(NoteError):
        open_note(mutate(sign_note("hello\n", signer)), [verifier_of(signer)])


def test_rejects_note_that_is_not_utf8(signer: Signer) -> None:
    with pytest.raises(NoteError):
        open_note(b"\xff\n\n" + sign_note("a\n", signer).encode(), [verifier_of(signer)])


# -- checkpoints -----------------------------------------------------------------------------------------


def test_formats_checkpoint_as_c2sp_body() -> None:
    text = format_checkpoint("example.org/log", 42, ROOT)
    assert text == f"example.org/log\n42\n{base64.b64encode(ROOT).decode()}\n"


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=0, max_value=2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1), max_size=3
    ),
)
def test_checkpoint_round_trips(size: int, root: bytes, extensions: list[str]) -> None:
    text = format_checkpoint("example.org/log", size, root, extensions)
    assert parse_checkpoint(text) == Checkpoint("example.org/log", size, root, tuple(extensions))


def test_signed_checkpoint_opens_and_parses(signer: Signer) -> None:
    signed = sign_note(format_checkpoint("example.org/log", 7, ROOT), signer)
    assert parse_checkpoint(open_note(signed, [verifier_of(signer)]).text) == Checkpoint(
        "example.org/log", 7, ROOT
    )


B64_ROOT = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"origin\n42\n{B64_ROOT}",  # no final newline
        "origin\n42\n",  # no root
        f"\n42\n{B64_ROOT}\n",  # empty origin
        f"origin\n042\n{B64_ROOT}\n",  # leading zero
        f"origin\n-1\n{B64_ROOT}\n",
        f"origin\n+1\n{B64_ROOT}\n",
        f"origin\n 1\n{B64_ROOT}\n",
        f"origin\n{2**64}\n{B64_ROOT}\n",  # beyond uint64
        f"origin\n４２\n{B64_ROOT}\n",  # non-ASCII digits
        f"origin\n42\n{base64.b64encode(ROOT[:31]).decode()}\n",  # short root
        f"origin\n42\n{B64_ROOT.rstrip('=')}\n",  # unpadded
        f"origin\n42\n{B64_ROOT}\n\n",  # empty extension line
        f"origin\n42\n{B64_ROOT}\nbad\rext\n",
    ],
)
def test_rejects_malformed_checkpoints(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 1, ROOT[:5], ()),
        ("o", 1, ROOT, ("",)),
    ],
)
def test_refuses_to_format_a_checkpoint_it_could_not_parse(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(NoteError):
        format_checkpoint(origin, size, root, extensions)
