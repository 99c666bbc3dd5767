"""Whether an owner's restatement is in their own words or a copy of the lead's brief.

The measure is containment: the share of the restatement's word 4-grams that also occur
in the brief. See docs/similarity.md for the definition, the corpus the threshold was
chosen on, and the known limits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# Word n-gram size. Four words is long enough that shared names ("the Acme renewal") and
# stock phrases rarely fill a whole shingle, short enough that a few edited words leave
# most of a copied sentence's shingles intact.
NGRAM: int = 4

# A field, or the three fields joined, whose containment reaches this share is refused as a
# copy. Chosen on the corpus in tests/unit/domain/test_similarity.py (docs/similarity.md):
# every lightly edited field scores 0.37 or more, every genuine field 0.25 or less. Sitting
# nearer the genuine side would refuse a six-word answer that shares one 4-gram (0.33).
COPY_THRESHOLD: float = 0.35

# Fewer words than this cannot say what, how or why; it also guarantees every accepted
# field has at least two 4-grams, so its copy score is measured, not guessed.
MIN_WORDS: int = 5

# The fields that must be in the owner's own words, in the order the modal shows them.
CHECKED_FIELDS: tuple[str, ...] = ("what", "how", "why")

_COPIED_MESSAGES: dict[str, str] = {
    "what": "This reads like the brief itself. Say in your own words what you will deliver.",
    "how": "This reads like the brief itself. Say in your own words how you will approach it.",
    "why": "This reads like the brief itself. Say in your own words why it matters.",
}
_JOINED_MESSAGES: dict[str, str] = {
    "what": "Taken together your answers repeat the brief. Rework this one: what will you deliver?",
    "how": "Taken together your answers repeat the brief. Rework this one: how will you do it?",
    "why": "Taken together your answers repeat the brief. Rework this one: why does it matter?",
}
_TOO_SHORT_MESSAGE = f"A few more words, please: at least {MIN_WORDS}, in your own words."

# Slack's angle-bracket markup: <@U123>, <#C123|general>, <https://x|label>, <!here>.
_ANGLE_MARKUP = re.compile(r"<([^<>\n]*)>")
# Mentions name people or groups, not the work; their labels are handles, not prose.
_MENTION_PREFIXES = ("@", "!subteam", "!here", "!channel", "!everyone")
# A bare URL is an address, not words either side wrote.
_BARE_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# Emoji shortcodes such as :tada:; at least one letter, so "10:30:" keeps its digits.
_EMOJI_SHORTCODE = re.compile(r":(?=[a-z0-9_+'-]*[a-z])[a-z0-9_+'-]+:", re.IGNORECASE)
# An apostrophe inside a word joins it ("don't" -> "dont") rather than splitting off a "t".
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc](?=\w)")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _replace_markup(match: re.Match[str]) -> str:
    target, has_label, label = match.group(1).partition("|")
    if target.startswith(_MENTION_PREFIXES) or not has_label:
        return " "
    return f" {label} "


def _is_word_char(char: str) -> bool:
    # Letters, combining marks (Devanagari vowel signs are marks) and digits make words;
    # punctuation, symbols, separators and controls only separate them.
    return unicodedata.category(char)[0] in "LMN"


def normalise(text: str) -> list[str]:
    """The words of `text`: NFKC, casefolded, without Slack markup or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = _ANGLE_MARKUP.sub(_replace_markup, text)
    # Entities after markup: an escaped "&lt;b&gt;" was typed by a person, not markup.
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    text = _BARE_URL.sub(" ", text)
    text = _EMOJI_SHORTCODE.sub(" ", text)
    # Casefolding can undo NFKC for a few characters, hence normalising again.
    text = unicodedata.normalize("NFKC", text.casefold())
    text = _INNER_APOSTROPHE.sub("", text)
    text = "".join(char if _is_word_char(char) else " " for char in text)
    return text.split()


def shingles(words: Sequence[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    """The distinct runs of `n` consecutive words."""
    if n < 1:
        raise ValueError(f"n-gram size must be at least 1, got {n}")
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _containment(part: Sequence[str], source: Sequence[str], n: int) -> float:
    if n < 1:
        raise ValueError(f"n-gram size must be at least 1, got {n}")
    if not part:
        return 0.0
    # A part shorter than n words is a single shingle, itself: contained only if it
    # appears as a consecutive run in the source.
    size = min(n, len(part))
    mine = shingles(part, size)
    return len(mine & shingles(source, size)) / len(mine)


def containment(part: str, source: str, n: int = NGRAM) -> float:
    """Share of `part`'s distinct word n-grams that also occur in `source`, in [0, 1]."""
    return _containment(normalise(part), normalise(source), n)


@dataclass(frozen=True)
class FieldProblem:
    """Why one field of the restatement is refused, worded for the owner."""

    field: str
    kind: Literal["too_short", "copied"]
    score: float
    message: str


def brief_text_of(*parts: str | None) -> str:
    """The brief's free-text fields as one text to compare against; empty parts skipped."""
    return "\n".join(part.strip() for part in parts if part and part.strip())


def check_restatement(fields: Mapping[str, str], brief_text: str) -> list[FieldProblem]:
    """Problems with what/how/why, at most one per field; an empty list means accepted.

    A missing field counts as empty. Other keys (risks, ideas) are not checked.
    """
    source = normalise(brief_text)
    words = {name: normalise(fields.get(name, "")) for name in CHECKED_FIELDS}
    scores = {name: _containment(words[name], source, NGRAM) for name in CHECKED_FIELDS}
    problems: dict[str, FieldProblem] = {}
    for name in CHECKED_FIELDS:
        if len(words[name]) < MIN_WORDS:
            problems[name] = FieldProblem(name, "too_short", scores[name], _TOO_SHORT_MESSAGE)
        elif scores[name] >= COPY_THRESHOLD:
            problems[name] = FieldProblem(name, "copied", scores[name], _COPIED_MESSAGES[name])
    if not any(problem.kind == "copied" for problem in problems.values()):
        # Copying spread over the fields can stay under the threshold in each of them; the
        # joined text also has the 4-grams that run across field boundaries.
        joined = [word for name in CHECKED_FIELDS for word in words[name]]
        overall = _containment(joined, source, NGRAM)
        free = [name for name in CHECKED_FIELDS if name not in problems]
        if overall >= COPY_THRESHOLD and free:
            # max() keeps the first of equal scores, so ties go to the earlier field.
            worst = max(free, key=lambda name: scores[name])
            problems[worst] = FieldProblem(worst, "copied", overall, _JOINED_MESSAGES[worst])
    return [problems[name] for name in CHECKED_FIELDS if name in problems]
