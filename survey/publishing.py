"""When a questionnaire takes answers: its state (draft → open → closed → archived), its dates and the mission's,
and the grace period of a form started before it closed. Also the header colours of a mission's branding.  PURE.

The rules live here as data and small functions; the store keeps the state, the web guard and the `survey open |
close | archive` commands ask these functions. Nothing here reads a clock: callers pass `now`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DRAFT, OPEN, CLOSED, ARCHIVED = "draft", "open", "closed", "archived"
STATES = (DRAFT, OPEN, CLOSED, ARCHIVED)

# Where each state may go. A draft is published (open) or dropped (archived); an open questionnaire is closed;
# a closed one is reopened or archived; an archived one can be brought back to closed (nothing is lost by archiving).
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({OPEN, ARCHIVED}),
    OPEN: frozenset({CLOSED}),
    CLOSED: frozenset({OPEN, ARCHIVED}),
    ARCHIVED: frozenset({CLOSED}),
}

# Why /s/<id> does not take answers, and the HTTP status of the polite page that says so. A draft is not public
# yet (404: as if it did not exist); not open yet is 403 (it will be); closed and archived are 410 (gone).
ANSWERABLE, NOT_PUBLISHED, NOT_YET_OPEN, ENDED, ARCHIVED_REASON = "open", "draft", "not_yet_open", "closed", "archived"
STATUS = {NOT_PUBLISHED: 404, NOT_YET_OPEN: 403, ENDED: 410, ARCHIVED_REASON: 410}


class TransitionRefused(ValueError):
    """A state change the rules do not allow; the message says what to do instead."""


class DateRefused(ValueError):
    """An opening or closing date that cannot be read, or closes before it opens."""


def check_transition(current: str, target: str) -> None:
    """Raise `TransitionRefused` unless `current` may become `target`."""
    if target not in STATES:
        raise TransitionRefused(f"unknown state `{target}` — use one of: {', '.join(STATES)}")
    if current == target:
        raise TransitionRefused(f"it is already {current}")
    if target not in TRANSITIONS[current]:
        hints = {
            (DRAFT, CLOSED): "a draft was never open: publish it (open) or archive it",
            (OPEN, ARCHIVED): "close it first, then archive it",
            (OPEN, DRAFT): "a questionnaire shown to respondents cannot go back to draft: close it",
            (ARCHIVED, OPEN): "bring it back to closed first (close), then reopen it",
        }
        hint = hints.get((current, target), f"from {current} it can become: {', '.join(sorted(TRANSITIONS[current]))}")
        raise TransitionRefused(f"a {current} questionnaire cannot become {target} — {hint}")


@dataclass(frozen=True)
class Publication:
    """A questionnaire's state and dates, with its mission's; moments are aware (UTC), the mission's are days."""

    state: str = OPEN
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None  # when it was last closed (or archived) by hand
    mission_start: dt.date | None = None
    mission_end: dt.date | None = None


@dataclass(frozen=True)
class Availability:
    """Whether /s/<id> takes answers now, and if not why (a key of `STATUS`) and since or until when."""

    reason: str
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    in_grace: bool = False  # closed, but this form was started before and is within the grace period

    @property
    def answerable(self) -> bool:
        return self.reason == ANSWERABLE

    @property
    def status(self) -> int:
        return STATUS.get(self.reason, 200)


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


def window(publication: Publication, zone: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The moments answers start and stop being taken: the narrower of the questionnaire's dates and its
    mission's (the mission's first day from midnight, its last day until midnight, in `zone`), and a closing by
    hand."""
    opens = [publication.opens_at] if publication.opens_at else []
    closes = [publication.closes_at] if publication.closes_at else []
    if publication.mission_start:
        opens.append(_midnight(publication.mission_start, zone))
    if publication.mission_end:
        closes.append(_midnight(publication.mission_end + dt.timedelta(days=1), zone))
    if publication.state in (CLOSED, ARCHIVED) and publication.closed_at:
        closes.append(publication.closed_at)
    return (max(opens) if opens else None), (min(closes) if closes else None)


def availability(publication: Publication, now: dt.datetime, zone: ZoneInfo, *, started: dt.datetime | None = None,
                 grace: dt.timedelta = dt.timedelta(0)) -> Availability:
    """Whether a respondent may go on now. `started`: when their form began (None for a new one); a form begun
    before the questionnaire closed may still be sent during `grace` after it closed — archived is final."""
    opens, closes = window(publication, zone)
    if publication.state == DRAFT:
        return Availability(NOT_PUBLISHED, opens, closes)
    if publication.state == ARCHIVED:
        return Availability(ARCHIVED_REASON, opens, closes)
    if publication.state == CLOSED and closes is None:  # closed by hand with no moment recorded: closed now
        closes = now
    if closes is not None and now >= closes:
        if started is not None and started < closes and now < closes + grace:
            return Availability(ANSWERABLE, opens, closes, in_grace=True)
        return Availability(ENDED, opens, closes)
    if opens is not None and now < opens:
        return Availability(NOT_YET_OPEN, opens, closes)
    return Availability(ANSWERABLE, opens, closes)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")


def parse_moment(text: str, zone: ZoneInfo, *, end_of_day: bool = False) -> dt.datetime | None:
    """A date (`2026-06-15`) or a local date and time (`2026-06-15 18:00`, what a datetime-local field posts) as a
    UTC moment; None for an empty text. A closing date alone means the end of that day (`end_of_day`)."""
    text = text.strip()
    if not text:
        return None
    try:
        if _DAY.fullmatch(text):
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end_of_day else 0)
            return _midnight(day, zone)
        if _MOMENT.fullmatch(text):
            return dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=zone).astimezone(dt.UTC)
    except ValueError:
        pass
    raise DateRefused(f"“{text[:40]}” is not a date: write it as YYYY-MM-DD, or YYYY-MM-DD HH:MM for a time")


def check_dates(opens_at: dt.datetime | None, closes_at: dt.datetime | None) -> None:
    """Raise `DateRefused` when the questionnaire would close before (or as) it opens."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise DateRefused("the closing date is not after the opening date — move one of them")


# --- branding colours ----------------------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text (1.4.3)
BLACK, WHITE = "#000000", "#ffffff"


class ColourRefused(ValueError):
    """A colour that is not `#rrggbb`, or a text colour too faint on its background; the message says which
    colour would do."""


def parse_colour(text: str, field: str) -> str:
    """`#1a5fb4`, `1A5FB4` or `#15b` as `#1a5fb4`; `ColourRefused` naming `field` otherwise."""
    match = HEX_COLOUR.fullmatch(text.strip())
    if not match:
        raise ColourRefused(f"{field}: “{text[:20]}” is not a colour — write it as #rrggbb, e.g. #1a5fb4")
    digits = match.group(1).lower()
    return "#" + ("".join(ch * 2 for ch in digits) if len(digits) == 3 else digits)


def _luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.1 definition)."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two `#rrggbb` colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_colours(background: str, text: str) -> tuple[str, str]:
    """The header's background and text colours, normalised; `ColourRefused` when the text would be below AA
    contrast (4.5:1) on the background, naming the ratio and black or white when one of them passes."""
    background, text = parse_colour(background, "background colour"), parse_colour(text, "text colour")
    ratio = contrast_ratio(background, text)
    if ratio < MIN_CONTRAST:
        best = max((BLACK, WHITE), key=lambda other: contrast_ratio(background, other))
        raise ColourRefused(
            f"text {text} on {background} has a contrast of {ratio:.2f}:1, below the 4.5:1 that WCAG AA asks for "
            f"— use a darker background, or {best} text ({contrast_ratio(background, best):.1f}:1)")
    return background, text
