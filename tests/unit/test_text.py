"""Search terms: stemming in three languages, query parsing, and snippets."""

from __future__ import annotations

import pytest

from servanda.domain.text import analyze, highlight, parse_query, stem_ukrainian


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", ["occupation", "occupations"]),
        ("en", ["negotiate", "negotiated", "negotiating"]),
        ("ru", ["оккупация", "оккупацию", "оккупации"]),
        ("ru", ["переговоры", "переговоров", "переговорах"]),
        ("uk", ["окупація", "окупації", "окупацію", "окупацією"]),
        ("uk", ["Україна", "України", "Україною"]),
    ],
)
def test_the_forms_of_a_word_share_one_term(language: str, forms: list[str]) -> None:
    assert len({analyze(form, language)[0] for form in forms}) == 1


def test_a_cyrillic_query_word_matches_russian_or_ukrainian_forms() -> None:
    [clause] = parse_query("окупації").clauses
    options = {option[0] for option in clause.alternatives}
    assert analyze("окупацію", "uk")[0] in options


def test_phrases_keep_their_order_and_words_are_all_required() -> None:
    query = parse_query('"security guarantees" ceasefire')
    assert query.to_fts5() == '"secur guarante" AND "ceasefir"'
    assert query.to_tsquery() == "('secur' <-> 'guarante') & 'ceasefir'"


def test_query_syntax_is_never_passed_through() -> None:
    query = parse_query('NEAR(a b) OR "x" * - ) \' ;')
    assert query.to_fts5() == '"near" AND "a" AND "b" AND "or" AND "x"'
    assert "'" not in query.to_tsquery().replace("'near'", "").replace("'a'", "").replace("'b'", "").replace(
        "'or'", ""
    ).replace("'x'", "")


def test_apostrophes_fold_the_same_way_everywhere() -> None:
    assert analyze("don't", "en") == analyze("dont", "en")
    assert stem_ukrainian("п'ять") == stem_ukrainian("пять")


def test_snippets_mark_every_form_of_the_words_found() -> None:
    text = "Наши планы не предусматривают оккупацию украинских территорий"
    assert highlight(text, parse_query("оккупация территория"), "ru") == (
        "Наши планы не предусматривают [оккупацию] украинских [территорий]"
    )
    assert highlight(text, parse_query("ceasefire"), "ru") is None
