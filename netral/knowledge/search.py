"""Self-check retrieval: an everyday Indonesian sentence → the best matching behaviours.

Pure Python (no Django): Snowball's Indonesian stemmer (PyStemmer), BM25 ranking (bm25s),
a synonym and slang table supplied by the caller (editable in the product), stop words
from the ``stop-words`` package, and typo tolerance by fuzzy matching of unknown words
against the index vocabulary (rapidfuzz)."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# Field weights: a behaviour's title and the ways people phrase it count most. Counter-
# examples are never indexed: they describe what the behaviour is NOT.
FIELD_WEIGHTS = {"title": 3, "phrasings": 2, "examples": 1, "summary": 1, "conditions": 1}
# Words the stop-word list drops that carry meaning in this domain.
KEEP_WORDS = frozenset({"calon", "ikut", "pakai", "foto", "jari", "dua", "satu", "tiga", "empat", "lima",
                        "kantor", "dinas", "atasan", "suami", "istri", "kampanye", "partai"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # noqa: PLC0415 -- slow import

    return Stemmer.Stemmer("indonesian")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from stop_words import get_stop_words  # noqa: PLC0415 -- slow import

    return frozenset(get_stop_words("indonesian")) - KEEP_WORDS


def words(text: str) -> list[str]:
    """Lower-case ASCII words; 'bolehhh' → 'boleh', 'nge-like' → 'nge like'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return [_REPEATS.sub(r"\1", w) for w in _NON_WORD.split(text) if w]


def expand_synonyms(tokens: list[str], synonyms: dict[str, str]) -> list[str]:
    """Append the expansion of every known word or phrase (up to three words) to the tokens."""
    out = list(tokens)
    n = len(tokens)
    for size in (3, 2, 1):
        for start in range(n - size + 1):
            phrase = " ".join(tokens[start:start + size])
            if phrase in synonyms:
                out.extend(words(synonyms[phrase]))
    return out


# When a prohibited behaviour scores nearly as high as an allowed (or conditional) one, the
# sentence is ambiguous: lead with the prohibition and ask the guided questions, rather
# than tell someone "allowed" on a coin flip.
CAUTION_MARGIN = 0.85


def apply_caution(ranked: list[tuple[str, float]], verdicts: dict[str, str]) -> tuple[list[tuple[str, float]], bool]:
    """Move a close prohibited match ahead of an allowed/conditional top answer."""
    if not ranked or verdicts.get(ranked[0][0]) == "prohibited":
        return ranked, False
    top_score = ranked[0][1]
    for position, (code, score) in enumerate(ranked[1:], start=1):
        if verdicts.get(code) == "prohibited" and score >= CAUTION_MARGIN * top_score:
            return [ranked[position], *ranked[:position], *ranked[position + 1:]], True
    return ranked, False


@dataclass
class Outcome:
    results: list[tuple[str, float]]
    confident: bool
    terms: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    ambiguous: bool = False


class SelfCheckIndex:
    """Build once from the catalogue; ``search`` is then a few milliseconds."""

    def __init__(self, documents: list[dict], synonyms: dict[str, str] | None = None, *,
                 min_coverage: float = 0.5):
        import bm25s  # noqa: PLC0415 -- slow import

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import

        self.synonyms = {" ".join(words(k)): v for k, v in (synonyms or {}).items() if words(k)}
        self.codes = [d["code"] for d in documents]
        self.min_coverage = min_coverage
        corpus = []
        raw_vocab: set[str] = set()
        for doc in documents:
            tokens = []
            for name, weight in FIELD_WEIGHTS.items():
                value = doc.get(name) or ""
                text = " ".join(value) if isinstance(value, list) else str(value)
                doc_words = words(text)
                raw_vocab.update(doc_words)
                tokens.extend(self._stems(expand_synonyms(doc_words, self.synonyms)) * weight)
            corpus.append(tokens or ["_"])
        self.doc_terms = [frozenset(doc) for doc in corpus]
        self.vocabulary = frozenset().union(*self.doc_terms) if corpus else frozenset()
        # Words a typo may be corrected to: catalogue words and the synonym table's terms.
        self.known_words = sorted(raw_vocab | {w for k in self.synonyms for w in k.split()})
        self.retriever = bm25s.BM25(k1=1.2, b=0.75)
        if corpus:  # an empty catalogue (a fresh database) matches nothing; bm25s cannot index it
            self.retriever.index(corpus, show_progress=False)

    def _stems(self, tokens: list[str]) -> list[str]:
        stop = _stop_words()
        kept = [t for t in tokens if t not in stop and (len(t) > 1 or t.isdigit())]
        return _stemmer().stemWords(kept)

    def _correct(self, tokens: list[str]) -> tuple[list[str], dict[str, str]]:
        from rapidfuzz import fuzz, process  # noqa: PLC0415 -- slow import

        stop = _stop_words()
        fixed, corrections = [], {}
        known = set(self.known_words)
        for token in tokens:
            if token in known or token in stop or len(token) < 4 or token.isdigit():
                fixed.append(token)
                continue
            if _stemmer().stemWord(token) in self.vocabulary:
                fixed.append(token)
                continue
            match = process.extractOne(token, self.known_words, scorer=fuzz.ratio,
                                       score_cutoff=85 if len(token) < 7 else 80)
            if match:
                corrections[token] = match[0]
                fixed.append(match[0])
            else:
                fixed.append(token)
        return fixed, corrections

    def _groups(self, tokens: list[str]) -> list[set[str]]:
        """One group per meaningful query word: its stem plus the stems of its synonyms."""
        groups = [set(self._stems([t])) for t in tokens]
        for size in (3, 2, 1):
            for start in range(len(tokens) - size + 1):
                phrase = " ".join(tokens[start:start + size])
                if phrase in self.synonyms:
                    expansion = set(self._stems(words(self.synonyms[phrase])))
                    for i in range(start, start + size):
                        groups[i] |= expansion
        return [g for g in groups if g]

    def search(self, query: str, *, limit: int = 5) -> Outcome:
        """Rank behaviours; ``confident`` when the best one covers at least ``min_coverage``
        of the query's meaningful words (a word counts if it or a synonym occurs there)."""
        tokens, corrections = self._correct(words(query))
        groups = self._groups(tokens)
        terms = list(dict.fromkeys(t for g in groups for t in sorted(g)))
        matched = [t for t in terms if t in self.vocabulary]
        if not matched:
            return Outcome([], False, terms, corrections)
        scores = self.retriever.get_scores(matched)
        ranked = sorted(((self.codes[i], float(s)) for i, s in enumerate(scores) if s > 0),
                        key=lambda pair: (-pair[1], pair[0]))[:limit]
        confident = False
        if ranked:
            top_terms = self.doc_terms[self.codes.index(ranked[0][0])]
            covered = sum(1 for g in groups if g & top_terms)
            confident = covered / len(groups) >= self.min_coverage
        return Outcome(ranked, confident, terms, corrections)
