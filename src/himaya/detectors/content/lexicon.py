"""The curated lexicon: terms and phrases per language and label, with weights an analyst can read.

Files live in ``data/lexicon/<language>/<label>.toml`` (``allow.toml`` for the allow-list); an
organisation adds its own files in the same layout (docs/detectors/content.md). A term is written in
any ordinary spelling: it is matched in the matching form (``himaya.nlp.normalize``), so one entry
covers its alef/ya/kaf variants, diacritics, ZWNJ, elongation and "k.i.l.l". ``*`` at the end of a
word lets any ending follow (``اقتل*``: اقتلك, اقتلها), at its start any beginning. Arabic-script
words also match behind the proclitics و ف ب ل ك ال.

Matching is by word tokens and dictionary look-ups rather than one huge regex: a regex alternation
of thousands of terms costs milliseconds a message, look-ups cost microseconds.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from himaya.detectors.content.taxonomy import LABELS
from himaya.errors import HimayaError
from himaya.nlp.normalize import normalize

DATA_DIR = Path(__file__).parent / "data" / "lexicon"
TOKEN = re.compile(r"[^\W_]+")
_PROCLITICS = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_ARABIC = re.compile("[\u0600-\u06ff]")
_DOUBLE = re.compile(r"([^\W\d_])\1")


class LexiconError(HimayaError):
    exit_code = 2


@dataclass(frozen=True)
class Entry:
    label: str
    weight: float
    term: str
    note: str
    source: str                      # file it came from, for the analyst: "ar/threat_of_violence.toml"
    tokens: tuple[str, ...] = ()     # matching-form tokens, '*' kept as written


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int  # token span in the matching form, characters
    end: int


@dataclass
class _Index:
    exact: dict[str, list[Entry]] = field(default_factory=dict)
    prefix: dict[str, list[Entry]] = field(default_factory=dict)   # "stem*"
    suffix: dict[str, list[Entry]] = field(default_factory=dict)   # "*stem"
    prefix_lengths: set[int] = field(default_factory=set)
    suffix_lengths: set[int] = field(default_factory=set)

    def add(self, entry: Entry) -> None:
        first = entry.tokens[0]
        if first.endswith("*") and not first.startswith("*"):
            stem = first[:-1]
            self.prefix.setdefault(stem, []).append(entry)
            self.prefix_lengths.add(len(stem))
        elif first.startswith("*") and not first.endswith("*"):
            stem = first[1:]
            self.suffix.setdefault(stem, []).append(entry)
            self.suffix_lengths.add(len(stem))
        else:
            self.exact.setdefault(first.strip("*"), []).append(entry)
            squeezed = squeeze(first.strip("*"))
            if squeezed != first.strip("*"):
                self.exact.setdefault(squeezed, []).append(entry)

    def candidates(self, variants: Iterable[str]) -> list[Entry]:
        found: list[Entry] = []
        for v in variants:
            found.extend(self.exact.get(v, ()))
            for n in self.prefix_lengths:
                if n <= len(v):
                    found.extend(self.prefix.get(v[:n], ()))
            for n in self.suffix_lengths:
                if n <= len(v):
                    found.extend(self.suffix.get(v[-n:], ()))
        return found


def squeeze(token: str) -> str:
    """Doubled letters to one: 'kiill' and 'kill' meet at 'kil' (only used when the token has a double)."""
    return _DOUBLE.sub(r"\1", token)


@lru_cache(maxsize=65536)
def token_variants(token: str) -> tuple[str, ...]:
    """The token, its squeezed form if it has a doubled letter, and its stems behind Arabic proclitics."""
    variants = [token]
    if _DOUBLE.search(token):
        variants.append(squeeze(token))
    if _ARABIC.match(token) and token.startswith(_PROCLITICS):
        for clitic in _PROCLITICS:
            if token.startswith(clitic) and len(token) - len(clitic) >= 2:
                variants.append(token[len(clitic):])
    return tuple(variants)


def _token_matches(token: str, pattern: str) -> bool:
    for v in token_variants(token):
        if pattern.startswith("*") and pattern.endswith("*") and len(pattern) > 2:
            if pattern[1:-1] in v:
                return True
        elif pattern.endswith("*"):
            if v.startswith(pattern[:-1]):
                return True
        elif pattern.startswith("*"):
            if v.endswith(pattern[1:]):
                return True
        elif v == pattern or (v != token and v == squeeze(pattern)):
            return True
    return False


class _Matches(dict[tuple[str, str], bool]):
    """``_token_matches`` of each (token, pattern) pair met, remembered: phrases share their common words."""

    def __missing__(self, key: tuple[str, str]) -> bool:
        matched = _token_matches(*key)
        if len(self) > 500_000:
            self.clear()
        self[key] = matched
        return matched


_MATCHES = _Matches()
_PERSIAN_PREVERBS = frozenset({"مي", "نمي"})


Token = tuple[str, int, int]


def tokenize(text: str) -> list[Token]:
    """Word tokens of a matching form with their spans; Persian "می کشمت" written apart is joined to "میکشمت"."""
    if "مي" not in text:  # both preverbs contain it: nothing to join
        return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
    tokens: list[Token] = []
    for m in TOKEN.finditer(text):
        if tokens and tokens[-1][0] in _PERSIAN_PREVERBS and m.start() - tokens[-1][2] == 1:
            prev = tokens.pop()
            tokens.append((prev[0] + m.group(0), prev[1], m.end()))
        else:
            tokens.append((m.group(0), m.start(), m.end()))
    return tokens


class TermSet:
    """Entries of one language compiled for matching."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._index = _Index()
        for e in self.entries:
            self._index.add(e)
        self._cache: dict[str, tuple[tuple[Entry, tuple[str, ...]], ...]] = {}

    def _candidates(self, token: str) -> tuple[tuple[Entry, tuple[str, ...]], ...]:
        """Entries whose first token matches ``token``, each with the patterns its next tokens must match."""
        # Words repeat (Zipf): remembering each word's candidates makes the look-ups nearly free.
        found = self._cache.get(token)
        if found is None:
            found = tuple((entry, entry.tokens[1:]) for entry in self._index.candidates(token_variants(token)))
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[token] = found
        return found

    def find(self, text: str, tokens: list[Token] | None = None) -> list[Hit]:
        """Hits in ``text``, which must already be in the matching form (``tokens``: its ``tokenize``)."""
        if not self.entries:
            return []
        if tokens is None:
            tokens = tokenize(text)
        hits: list[Hit] = []
        cached, count, matches = self._cache.get, len(tokens), _MATCHES
        for i, (tok, start, end) in enumerate(tokens):
            found = cached(tok)
            if found is None:
                found = self._candidates(tok)
            if not found:
                continue
            following = tokens[i + 1][0] if i + 1 < count else ""
            for entry, rest in found:
                if not rest:
                    hits.append(Hit(entry, start, end))
                elif (i + len(rest) < count and matches[following, rest[0]]  # most phrases fail on their second word
                      and all(matches[tokens[i + 1 + k][0], pat] for k, pat in enumerate(rest[1:], 1))):
                    hits.append(Hit(entry, start, tokens[i + len(rest)][2]))
        return hits


@dataclass(frozen=True)
class AllowEntry:
    kind: str              # "reclaimed" (hits of these words are dropped) or "counter_speech" (scores damped)
    tokens: tuple[str, ...]
    term: str
    factor: float
    labels: frozenset[str]
    note: str


@dataclass
class Lexicon:
    version: str
    terms: dict[str, TermSet]                        # language → terms of every label
    allow: dict[str, list[AllowEntry]]               # language → allow-list
    files: list[str]
    allow_sets: dict[str, TermSet] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for lang, entries in self.allow.items():
            self.allow_sets[lang] = TermSet(Entry(a.kind, a.factor, a.term, a.note, "allow", a.tokens) for a in entries)


def _tokens_of(term: str, source: str) -> tuple[str, ...]:
    parts = []
    for raw in term.split():
        star_start, star_end = raw.startswith("*"), raw.endswith("*")
        body = normalize(raw.strip("*"))
        if not body:
            continue
        for j, piece in enumerate(TOKEN.findall(body)):
            parts.append(("*" if star_start and j == 0 else "") + piece)
        if star_end and parts:
            parts[-1] += "*"
    if not parts:
        raise LexiconError(f"{source}: term {term!r} has no letters or digits once normalised")
    merged: list[str] = []
    for part in parts:  # the same joining of Persian "می" as the text gets
        if merged and merged[-1] in _PERSIAN_PREVERBS:
            merged[-1] += part
        else:
            merged.append(part)
    return tuple(merged)


def _read(path: Path, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon file: {exc}") from None


def _label_file(path: Path, source: str, label: str) -> list[Entry]:
    data = _read(path, source)
    entries: list[Entry] = []
    groups: list[dict[str, Any]] = data.get("group", [])  # type: ignore[assignment]
    for i, group in enumerate(groups):
        if not isinstance(group, dict):
            raise LexiconError(f"{source}: group {i + 1} must be a table ([[group]])")
        try:
            weight = float(group["weight"])
            terms = list(group["terms"])
        except (KeyError, TypeError, ValueError):
            raise LexiconError(f"{source}: group {i + 1} needs 'weight' (0..1) and 'terms' (a list)") from None
        if not 0.0 <= weight <= 1.0:
            raise LexiconError(f"{source}: group {i + 1} weight {weight} is outside 0..1")
        note = str(group.get("note", ""))
        for term in terms:
            if not isinstance(term, str):
                raise LexiconError(f"{source}: group {i + 1}: term {term!r} is not a string")
            entries.append(Entry(label, weight, term, note, source, _tokens_of(term, source)))
    return entries


def _allow_file(path: Path, source: str) -> list[AllowEntry]:
    data = _read(path, source)
    out: list[AllowEntry] = []
    for kind in ("reclaimed", "counter_speech"):
        kind_groups: list[dict[str, Any]] = data.get(kind, [])  # type: ignore[assignment]
        for i, group in enumerate(kind_groups):
            if not isinstance(group, dict):
                raise LexiconError(f"{source}: {kind} group {i + 1} must be a table ([[{kind}]])")
            labels = frozenset(group.get("labels", LABELS))
            unknown = labels - set(LABELS)
            if unknown:
                raise LexiconError(f"{source}: {kind} group {i + 1} names unknown labels {sorted(unknown)}")
            factor = float(group.get("factor", 0.0 if kind == "reclaimed" else 0.4))
            for term in group.get("terms", []):
                out.append(AllowEntry(kind, _tokens_of(term, source), term, factor, labels, str(group.get("note", ""))))
    return out


def load_lexicon(extra_dirs: Iterable[Path] = ()) -> Lexicon:
    """The shipped lexicon plus every organisation directory given (same layout), in that order."""
    by_lang: dict[str, list[Entry]] = {}
    allow: dict[str, list[AllowEntry]] = {}
    digest = hashlib.sha256()
    files: list[str] = []
    for root in (DATA_DIR, *extra_dirs):
        if not root.is_dir():
            raise LexiconError(f"{root}: lexicon directory does not exist")
        for path in sorted(root.glob("*/*.toml")):
            lang, name = path.parent.name, path.stem
            source = f"{lang}/{path.name}" if root == DATA_DIR else str(path)
            digest.update(source.encode() + b"\0" + path.read_bytes())
            files.append(source)
            if name == "allow":
                allow.setdefault(lang, []).extend(_allow_file(path, source))
            elif name in LABELS:
                by_lang.setdefault(lang, []).extend(_label_file(path, source, name))
            else:
                raise LexiconError(f"{source}: file name must be a label ({', '.join(LABELS)}) or 'allow'")
    return Lexicon(f"lex-{digest.hexdigest()[:12]}", {k: TermSet(v) for k, v in by_lang.items()}, allow, files)
