"""Free text with the personal data taken out: typed placeholders instead of e-mails, phones, names…  PURE.

The patterns run as polars regular expressions (Rust's `regex`: linear time, no look-around) over a whole column
at once, so a million answers cost a few passes over the text, not a million Python calls. Each detector replaces
its matches and the new placeholders are counted; detectors run in a fixed order so that a longer structure (an
e-mail, a URL, an IBAN, a social-security number) is taken out before a shorter pattern (a phone number, a
postcode) could bite a piece of it, and the listed names before the addresses, whose street names they would
otherwise run into. The order of the placeholders' types in `PLACEHOLDERS` is that order.

Names come from the mission's own lists (`MissionLists`): each name matches in any case, with or without its
accents, with spaces, hyphens or apostrophes between its words in any mix (« Saint-Aubin » catches « saint aubin »
and « SAINT-AUBIN », not « St-Aubin »: abbreviations and nicknames go in the list as lines of their own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

# Placeholder of each detection type, in the order the detectors run.
PLACEHOLDERS: dict[str, str] = {
    "email": "[COURRIEL]",
    "url": "[URL]",
    "iban": "[IBAN]",
    "nir": "[NIR]",
    "phone": "[TÉLÉPHONE]",
    "person": "[PERSONNE]",
    "organisation": "[ORGANISATION]",
    "place": "[LIEU]",
    "address": "[ADRESSE]",
}

_URL = r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]»]"
_BARE_DOMAIN = (r"(?i)(?-u:\b)(?:[a-z0-9][a-z0-9-]*\.)+(?:fr|com|org|net|eu|info|bzh|paris)(?-u:\b)"
                r"(?:[/?#](?:[^\s<>\"']*[^\s<>\"'.,;:!?)\]»])?)?")
_EMAIL = r"(?i)[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# Country, check digits, a bank code's first four digits, then groups of four; a French IBAN has 27 characters.
_IBAN = r"(?-u:\b)[A-Za-z]{2}\d{2}[ ]?\d{4}(?:[ ]?[A-Za-z0-9]{4}){1,6}(?:[ ]?[A-Za-z0-9]{1,3})?(?-u:\b)"
# Sex, year, month, département (2A/2B for Corsica), commune, order number, then the key (optional: a number
# without its key is still a NIR). Spaces, dots or dashes between the groups.
_SEP = r"[ .\-]?"
# Rust's regex runs a fast automaton only with ASCII word boundaries: a Unicode `\b` on text with one accent
# sends it to its slow engine (tens of times slower). Digits and Latin letters need no more.
_B = r"(?-u:\b)"
_NIR = (rf"{_B}[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AaBb]){_SEP}\d{{3}}{_SEP}\d{{3}}"
        rf"(?:{_SEP}\d{{2}})?{_B}")
# +33 6 12 34 56 78, +33 (0)6…, 0033 6…, 06 12 34 56 78, 06.12.34.56.78, 0612345678.
_PHONE = r"(?:\+33[ .\-]?(?:\(0\)[ .\-]?)?|(?-u:\b)0033[ .\-]?|(?-u:\b)0)[1-9](?:[ .\-]?\d{2}){4}(?-u:\b)"
_STREET_TYPES = (
    "rue|avenue|av|boulevard|bd|bld|place|pl|chemin|ch|all[ée]e|impasse|imp|quai|route|rte|cours|"
    "square|sq|passage|r[ée]sidence|lotissement|lieu[- ]dit|cit[ée]|hameau|faubourg|fbg|chauss[ée]e|"
    "esplanade|promenade|parvis|sentier|villa|voie|mont[ée]e|rond[- ]point|cour|port|zone|za|zac|zi"
)
_CONNECTORS = (rf"(?:(?:de|du|des|la|le|les|aux|au|sur|sous|saint|sainte|st|ste|et){_B}(?:[ ]+\d{{1,2}}{_B})?"
               r"|à|l['’]|d['’])")
_CAPITALISED = r"(?-i:\p{Lu})[\w'’\-]*"
# « 12 bis rue des Lilas, 44000 Nantes »: a number, a street type, then its name — linking words (de, la, l’…)
# and up to four capitalised words (« du 8 Mai 1945 »), or, typed in lower case, one word — then an
# optional postcode and town. Or a postcode and a capitalised town on its own (« 44190 Clisson »). A name typed
# in lower case loses only its first word; capitalised words right after an address go with it.
_ADDRESS = (
    rf"(?i){_B}\d{{1,4}}(?:[ ]?(?:bis|ter|quater|[a-d]))?,?[ ]+(?:{_STREET_TYPES}){_B}\.?"
    rf"(?:[ ]+{_CONNECTORS})*"
    rf"(?:(?:[ ]*{_CAPITALISED}(?:[ ]+\d{{4}}{_B})?){{1,4}}|[ ]*[\w’\-]+)"
    rf"(?:,?[ ]+\d{{5}}(?:[ ]+{_CAPITALISED}){{1,3}})?"
    rf"|{_B}(?:0[1-9]|[1-8]\d|9[0-8])\d{{3}}[ ]+{_CAPITALISED}(?:[ ]+{_CAPITALISED}){{0,2}}"
)
_STRUCTURED: dict[str, list[str]] = {
    "email": [_EMAIL],
    "url": [_URL, _BARE_DOMAIN],
    "iban": [_IBAN],
    "nir": [_NIR],
    "phone": [_PHONE],
    "address": [_ADDRESS],
}
_CIVILITY = r"(?:m\.|mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle|dr\.?|docteur|ma[iî]tre|me)"

# Letters whose accented forms a name may be written with or without.
_ACCENTS = {
    "a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý", "n": "nñ",
    "œ": "œ", "æ": "æ",
}
_BASE = {accented: base for base, forms in _ACCENTS.items() for accented in forms}
_WORD_SEPARATORS = re.compile(r"[\s\-'’]+")
_NOT_WORD = r"[^\p{L}\p{N}_]"
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class MissionLists:
    """The names a mission knows: people, places and organisations whose mention must not leave the platform."""

    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    _patterns: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def patterns(self) -> dict[str, list[str]]:
        """The regular expressions of the names, by detection type; built once per lists."""
        if not self._patterns:
            built = {"person": _person_patterns(self.people), "organisation": _name_patterns(self.organisations),
                     "place": _name_patterns(self.places)}
            self._patterns.update(built)
        return self._patterns


def _letter(char: str) -> str:
    """A class matching the letter with or without its accent (case is left to the `(?i)` flag)."""
    base = _BASE.get(char.lower())
    if base is None:
        return re.escape(char)
    return "[" + _ACCENTS[base] + "]"


def _name_regex(name: str) -> str:
    """One name as a pattern: accents optional, any run of spaces, hyphens or apostrophes between its words."""
    words = [w for w in _WORD_SEPARATORS.split(_trimmed(name)) if w]
    return r"[\s\-'’]+".join("".join(_letter(c) for c in word) for word in words)


def _alternation(regexes: list[str]) -> list[str]:
    """One case-insensitive pattern for many names, longest first so « Saint-Aubin-sur-Loire » beats « Saint-Aubin »."""
    unique = sorted(set(r for r in regexes if r), key=len, reverse=True)
    if not unique:
        return []
    # The edges are captured and written back (`${1}`, `${2}`): Unicode \b would be exact but slow (see `_B`), and
    # ASCII \b misses a name that starts or ends with an accent (« Zoé »).
    return [rf"(?i)(^|{_NOT_WORD})(?:" + "|".join(unique) + rf")({_NOT_WORD}|$)"]


def _name_patterns(names: tuple[str, ...]) -> list[str]:
    """Patterns for a list of place or organisation names."""
    return _alternation([_name_regex(n) for n in names])


def _person_patterns(names: tuple[str, ...]) -> list[str]:
    """A person as listed, in the other order (« Dupont Marie »), and their surname after a civility
    (« Mme Dupont »)."""
    regexes: list[str] = []
    for name in names:
        words = [w for w in _WORD_SEPARATORS.split(_trimmed(name)) if w]
        if not words:
            continue
        regexes.append(_name_regex(name))
        if len(words) >= 2:
            regexes.append(_name_regex(" ".join(words[1:] + words[:1])))
            regexes.append(_CIVILITY + r"[ ]*" + _name_regex(" ".join(words[1:])))
    return _alternation(regexes)


def _trimmed(name: str) -> str:
    """The name without leading or trailing punctuation (« St. » → « St »), so that it starts and ends on a letter
    and the edge patterns see it whole."""
    return _EDGE_PUNCTUATION.sub("", name)


def scrub_series(texts: pl.Series, lists: MissionLists | None = None) -> tuple[pl.Series, dict[str, int]]:
    """The texts with personal data replaced by typed placeholders, and the number of detections of each type."""
    lists = lists or MissionLists()
    names = lists.patterns()
    column = texts.cast(pl.String)
    counts: dict[str, int] = {}
    for kind, placeholder in PLACEHOLDERS.items():
        before = _count_literal(column, placeholder)
        for pattern in _STRUCTURED.get(kind, []):
            column = column.str.replace_all(pattern, placeholder)
        for pattern in names.get(kind, []):
            column = _replace_names(column, pattern, placeholder)
        # No pattern matches a placeholder, so the new placeholders are the detections: counting a literal is
        # cheaper than running each pattern a second time to count its matches.
        counts[kind] = _count_literal(column, placeholder) - before
    return column.rename(texts.name), counts


def _replace_names(column: pl.Series, pattern: str, placeholder: str) -> pl.Series:
    """Replace the names, keeping the edges the pattern captures (see `_alternation`).

    A name's edges are consumed with it, so of two names one space apart the second is only found by a second
    pass; that pass runs on the rows the first one changed, usually few. A third is never needed.
    """
    replacement = "${1}" + placeholder + "${2}"
    first = column.str.replace_all(pattern, replacement)
    changed = (first.str.count_matches(placeholder, literal=True)
               != column.str.count_matches(placeholder, literal=True)).arg_true()
    if changed.len():
        first = first.scatter(changed, first.gather(changed).str.replace_all(pattern, replacement))
    return first


def _count_literal(column: pl.Series, text: str) -> int:
    """Occurrences of a fixed text in the whole column."""
    return int(column.str.count_matches(text, literal=True).sum() or 0)


def scrub_text(text: str, lists: MissionLists | None = None) -> tuple[str, dict[str, int]]:
    """One text scrubbed, with its detections by type (the column version on a column of one)."""
    scrubbed, counts = scrub_series(pl.Series("text", [text], dtype=pl.String), lists)
    return scrubbed[0], counts
