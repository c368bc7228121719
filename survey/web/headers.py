"""Security headers on every response, error pages, static files and 404s included; `Secure` on every cookie.

Applied as a `before_send` hook, which Litestar runs on every message of every response, so no route (nor a
response made before routing, such as a 404 or 405) can go without them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

# Nothing inline: scripts and styles are files under /static; the form's logic travels as a JSON data block,
# which is never executed. Images may be data: URIs (none today; SVG charts are inline markup, not images).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Only features Chromium knows: an unknown name is itself reported as an error in the console.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb",
))

SECURITY_HEADERS = {
    # One policy for every route: the API reference at /schema is a plain page too (survey/web/api/).
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000"  # sent only with secure cookies, that is behind HTTPS

Message = dict[str, Any]
Hook = Callable[[Message, dict[str, Any]], Coroutine[Any, Any, None]]


def secure_cookie(header: bytes) -> bytes:
    """A `Set-Cookie` value with the `Secure` attribute, added if missing."""
    attributes = [part.strip().lower() for part in header.split(b";")[1:]]
    return header if b"secure" in attributes else header + b"; Secure"


def security_headers(secure_cookies: bool) -> Hook:
    """The `before_send` hook: the headers above on every response start; every cookie `Secure` if asked."""
    static = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
    if secure_cookies:
        static.append((b"strict-transport-security", HSTS.encode()))
    owned = {name for name, _ in static}

    async def add_headers(message: Message, _scope: dict[str, Any]) -> None:
        if message["type"] != "http.response.start":
            return
        # Ours replace any a handler set, so that the policy is decided here and only here.
        headers = [(bytes(name).lower(), bytes(value)) for name, value in message.get("headers", [])]
        headers = [(name, value) for name, value in headers if name not in owned]
        if secure_cookies:
            headers = [(name, secure_cookie(value) if name == b"set-cookie" else value) for name, value in headers]
        message["headers"] = [*headers, *static]

    return add_headers
