"""Words for search: tokenising and stemming in English, Russian and Ukrainian, and parsing queries.

Full-text search must give the same results on SQLite (FTS5) and PostgreSQL (tsvector), and both engines
stem differently or not at all in Russian and Ukrainian. So servanda stems here, once, with Snowball
(English, Russian) and a light suffix-stripping stemmer for Ukrainian (Snowball has none), and both
databases index and match the resulting terms verbatim. A query is parsed into the same terms; a Cyrillic
word, whose language a query does not say, matches either its Russian or its Ukrainian stem.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
SNOWBALL = {"en": "english", "ru": "russian"}

# --- a light Ukrainian stemmer (after the Porter-style rules of the ukr_stemmer project) -------------------

_UK_VOWEL = re.compile(r"[аеиоуюяіїє]")
_UK_PERFECTIVE = re.compile(r"(ив|ивши|ившись|ыв|ывши|ывшись|(?<=[ая])(в|вши|вшись))$")
_UK_REFLEXIVE = re.compile(r"(с[яьи])$")
_UK_ADJECTIVE = re.compile(
    r"(ією|ими|ій|ий|а|е|ова|ове|ів|є|їй|єє|еє|я|ім|ем|им|их|іх|ою|йми|іми|у|ю|ого|ому|ої)$"
)
_UK_PARTICIPLE = re.compile(r"(ий|ого|ому|им|ім|а|ій|у|ою|і|их|йми)$")
_UK_VERB = re.compile(r"(сь|ся|ив|ать|ять|у|ю|ав|али|учи|ячи|вши|ши|е|ме|ати|яти|є)$")
_UK_NOUN = re.compile(
    r"(ії|ією|ію|ія|а|ев|ов|е|ями|ами|еи|и|ей|ой|ий|й|иям|ям|ием|ем|ам|ом|о|у|ах|иях|ях|ы|ь|ию|ью|ю|ия|ья|я"
    r"|і|ові|ї|ею|єю|ою|є|еві|єм|ів|їв)$"
)
_UK_DERIVATIONAL = re.compile(r"[^аеиоуюяіїє][аеиоуюяіїє]+[^аеиоуюяіїє]+[аеиоуюяіїє].*(?<=о)сть?$")


def _cut(pattern: re.Pattern[str], text: str, to: str = "") -> tuple[bool, str]:
    changed = pattern.sub(to, text, count=1)
    return changed != text, changed


def stem_ukrainian(word: str) -> str:
    """Strip Ukrainian inflectional endings: a light stemmer, good enough to match a word's forms."""
    word = word.lower().replace("'", "").replace("’", "").replace("ʼ", "")
    first = _UK_VOWEL.search(word)
    if first is None:
        return word
    start, rv = word[: first.end()], word[first.end() :]
    done, rv = _cut(_UK_PERFECTIVE, rv)
    if not done:
        _, rv = _cut(_UK_REFLEXIVE, rv)
        done, rv = _cut(_UK_ADJECTIVE, rv)
        if done:
            _, rv = _cut(_UK_PARTICIPLE, rv)
        else:
            done, rv = _cut(_UK_VERB, rv)
            if not done:
                _, rv = _cut(_UK_NOUN, rv)
    _, rv = _cut(re.compile("и$"), rv)
    if _UK_DERIVATIONAL.search(rv):
        _, rv = _cut(re.compile("ость$"), rv)
    done, rv = _cut(re.compile("ь$"), rv)
    if done:
        _, rv = _cut(re.compile("ейше?$"), rv)
        _, rv = _cut(re.compile("нн$"), rv, "н")
    return start + rv


# --- analysis ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _snowball(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(SNOWBALL[language])


def _base_language(language: str | None) -> str:
    return (language or "en").split("-", 1)[0].lower()


_PLAIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (ё folded to е), in order."""
    # Apostrophes inside words are dropped ("don't" -> "dont", "п'ять" -> "пять"): both databases would
    # otherwise split such words differently. Folding the whole text at once gives the same words as folding
    # each, and is several times faster on an import of a hundred thousand statements.
    return _PLAIN_WORD.findall(_fold(text))


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е").replace("'", "").replace("’", "").replace("ʼ", "")


@lru_cache(maxsize=65536)  # the same words recur in every text and query: stem each once
def stem(word: str, language: str) -> str:
    language = _base_language(language)
    if language in SNOWBALL:
        return str(_snowball(language).stemWord(word))
    if language == "uk":
        return stem_ukrainian(word)
    return word


@lru_cache(maxsize=65536)
def stems_of(word: str, language: str | None = None) -> tuple[str, ...]:
    """Every stem a word could have: a Cyrillic word of unknown language has a Russian and a Ukrainian one."""
    if language is not None:
        return (stem(word, language),)
    if _CYRILLIC.search(word):
        return tuple(dict.fromkeys((stem(word, "ru"), stem(word, "uk"))))
    return (stem(word, "en"),)


@lru_cache(maxsize=65536)
def _stems_in(word: str, language: str) -> frozenset[str]:
    """Every stem a word of a text in ``language`` could match: its stem in that language, and the stems it
    would have in a query, which does not say its language. Cached: a snippet tests each word of a text."""
    folded = _fold(word)
    return frozenset(stems_of(folded, language) + stems_of(folded))


def analyze(text: str | None, language: str | None = "en") -> list[str]:
    """The index terms of a text written in ``language``, in order (repeats kept, for phrases)."""
    if not text:
        return []
    language = _base_language(language)
    tokens = words(text)
    if language in SNOWBALL:
        return list(_snowball(language).stemWords(tokens))
    if language == "uk":
        return [stem(word, "uk") for word in tokens]
    return tokens


# --- queries -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clause:
    """Something every hit must contain: one word (any of its stems), or a phrase (any stemming of it)."""

    alternatives: tuple[tuple[str, ...], ...]  # each alternative is a sequence of terms (length 1: a word)
    text: str

    @property
    def is_phrase(self) -> bool:
        return any(len(option) > 1 for option in self.alternatives)


@dataclass(frozen=True, slots=True)
class TextQuery:
    clauses: tuple[Clause, ...]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def terms(self) -> set[str]:
        return {term for clause in self.clauses for option in clause.alternatives for term in option}

    def to_fts5(self) -> str:
        """SQLite FTS5 syntax: every term quoted, so no user input is ever read as an operator."""
        parts = []
        for clause in self.clauses:
            options = ['"' + " ".join(option) + '"' for option in clause.alternatives]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        return " AND ".join(parts)

    def to_tsquery(self) -> str:
        """PostgreSQL ``to_tsquery('simple', ...)`` syntax; terms are word characters only, quoted."""
        parts = []
        for clause in self.clauses:
            options = [" <-> ".join(f"'{term}'" for term in option) for option in clause.alternatives]
            options = [f"({option})" if " <-> " in option else option for option in options]
            parts.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
        return " & ".join(parts)


_QUOTED = re.compile(r'"([^"]*)"|(\S+)')


def parse_query(text: str) -> TextQuery:
    """Words must all appear (in any form); a "quoted phrase" must appear as written, in any form."""
    clauses: list[Clause] = []
    for match in _QUOTED.finditer(text):
        phrase, single = match.group(1), match.group(2)
        source = phrase if phrase is not None else single
        tokens = words(source)
        if not tokens:
            continue
        if phrase is not None and len(tokens) > 1:
            cyrillic = any(_CYRILLIC.search(t) for t in tokens)
            languages = ("ru", "uk") if cyrillic else ("en",)
            options = tuple(dict.fromkeys(tuple(stem(t, lang) for t in tokens) for lang in languages))
            clauses.append(Clause(options, phrase))
            continue
        for token in tokens:
            clauses.append(Clause(tuple((s,) for s in stems_of(token)), token))
    return TextQuery(tuple(clauses))


def highlight(
    text: str, query: TextQuery, language: str | None, *, width: int = 160, mark: tuple[str, str] = ("[", "]")
) -> str | None:
    """A snippet of ``text`` around the first word matching the query, matches marked; None if none match."""
    if not text or not query:
        return None
    wanted = query.terms()
    base = _base_language(language)
    spans = [m.span() for m in _WORD.finditer(text) if not wanted.isdisjoint(_stems_in(m[0], base))]
    if not spans:
        return None
    first = spans[0][0]
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    out = []
    cursor = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out.append(text[cursor:start])
        out.append(mark[0] + text[start:stop] + mark[1])
        cursor = stop
    out.append(text[cursor:end])
    snippet = "".join(out)
    return ("…" if begin > 0 else "") + snippet + ("…" if end < len(text) else "")
