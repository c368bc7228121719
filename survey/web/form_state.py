"""A form's progress as the answering code sees it (`FormState`), and its signed form for the staff preview.

The state holds the exact questionnaire version, a one-time key, the page shown, the language and the answers so
far. Respondents' progress is kept on the server (`survey/store_forms.py`, the key being the form's URL); the
staff preview, which stores nothing, carries its state in a hidden field, HMAC-signed (`FormSigner`): a tampered
or expired state is refused, and a preview's state means nothing to the public form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any


class StateInvalid(Exception):
    """The form state was altered, is malformed, or has expired."""


@dataclass(frozen=True)
class FormState:
    version_id: int
    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    page: int = 0
    language: str = "fr"
    answers: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    preview: bool = False  # a staff preview: nothing is stored at the end

    def moved(self, **changes: Any) -> FormState:
        return replace(self, **changes)


class FormSigner:
    """Encodes and checks form states with one secret key."""

    def __init__(self, secret: str, max_age_seconds: float):
        self._key = hashlib.sha256(b"form-state:" + secret.encode()).digest()
        self.max_age = max_age_seconds

    def _mac(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, payload, hashlib.sha256).digest()).decode().rstrip("=")

    def dump(self, state: FormState) -> str:
        fields = {"version_id": state.version_id, "key": state.key, "page": state.page,
                  "language": state.language, "answers": state.answers, "started": state.started,
                  "preview": state.preview}
        payload = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()
        return f"{payload}.{self._mac(payload.encode())}"

    def load(self, token: str | None) -> FormState:
        if not token or "." not in token or len(token) > 2_000_000:
            raise StateInvalid("missing or malformed")
        payload, mac = token.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(payload.encode())):
            raise StateInvalid("bad signature")
        try:
            state = FormState(**json.loads(base64.urlsafe_b64decode(payload.encode())))
        except (ValueError, TypeError) as exc:
            raise StateInvalid("malformed") from exc
        if time.time() - state.started > self.max_age:
            raise StateInvalid("expired")
        return state
