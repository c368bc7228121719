"""How long a mission's raw responses are kept, and what respondents are told about it.  PURE.

`retention_days` in a questionnaire's `mission:` block counts from the mission's `end` when it has one, else from
each response's submission. Why from the end: an evaluation is analysed and reported on until its mission ends;
counting from each submission would take early respondents out of the results while the report is being written,
and give the people of one consultation different deletion dates for the same purpose. A mission without an end
(a standing feedback form) has no such moment, so each response's own period runs from when it was sent.

Once the period is over, `survey purge` and the service's periodic check delete the raw responses (and forms in
progress) of that questionnaire; exports already made are files, outside the database, and stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.messages import translate
from survey.schema import Mission


@dataclass(frozen=True)
class Retention:
    """What is deleted now: responses submitted before `before` (every response once a mission's period is over)."""

    before: dt.datetime
    everything: bool  # the mission's period is over: every response, whenever it was sent


def expiry_date(mission: Mission) -> dt.date | None:
    """The last day a mission with an end keeps its responses; None without an end or a period."""
    if mission.retention_days is None or mission.end is None:
        return None
    return mission.end + dt.timedelta(days=mission.retention_days)


def due(mission: Mission | None, now: dt.datetime, today: dt.date | None = None) -> Retention | None:
    """What retention deletes at `now` (`today`: the date where the service is, for a mission's days); None when
    the mission keeps its responses (no period declared, or its end's period not over yet)."""
    if mission is None or mission.retention_days is None:
        return None
    last = expiry_date(mission)
    if last is not None:
        return Retention(now, True) if (today or now.date()) > last else None
    return Retention(now - dt.timedelta(days=mission.retention_days), False)


def notice(mission: Mission | None, language: str) -> list[str]:
    """The sentences the privacy notice adds: the real retention period, and whom to write to about one's data."""
    if mission is None:
        return []
    lines = []
    if mission.retention_days is not None:
        last = expiry_date(mission)
        if last is not None:
            lines.append(translate("retention_until_end", language, days=mission.retention_days,
                                   end=_date(mission.end, language), last=_date(last, language)))  # type: ignore[arg-type]
        else:
            lines.append(translate("retention_from_submission", language, days=mission.retention_days))
    if mission.contact:
        lines.append(translate("retention_contact", language, contact=mission.contact))
    return lines


def _date(day: dt.date, language: str) -> str:
    """A date as readers of the language write it: 31/12/2026 in French, 2026-12-31 otherwise."""
    return day.strftime("%d/%m/%Y") if language == "fr" else day.isoformat()
