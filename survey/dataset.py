"""Stored responses as the rest of the pipeline sees them: plain records, no database.  PURE."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResponseRecord:
    """One complete response, as read back from storage."""

    response_id: str
    version: str  # the questionnaire version it answered
    submitted_at: dt.datetime
    answers: dict[str, Any]
