"""A mission's logo, checked and re-encoded before it is stored: PNG or JPEG only, never SVG (an SVG is a document
that may carry scripts and fetch URLs), at most `MAX_LOGO_BYTES` uploaded and `MAX_LOGO_PIXELS` decoded, and
written again as a plain PNG by Pillow so that nothing of the uploaded file but its pixels reaches a page or a PDF.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 1_000_000  # a logo, not a photograph
MAX_LOGO_SIDE = 4000  # pixels per side accepted on upload (a decompression bomb is refused before decoding)
MAX_LOGO_PIXELS = MAX_LOGO_SIDE * MAX_LOGO_SIDE
STORED_HEIGHT = 160  # pixels: taller logos are scaled down (twice the 80 px the header shows, for sharp screens)
STORED_WIDTH = 800  # pixels: so are wider ones
FORMATS = {"PNG", "JPEG"}


class LogoRefused(ValueError):
    """An uploaded logo that is not a PNG or JPEG picture of a sensible size; the message says what to send."""


def clean_logo(data: bytes) -> tuple[bytes, int, int]:
    """The logo as a fresh PNG (at most `STORED_HEIGHT` × `STORED_WIDTH` pixels), with its width and height."""
    if not data:
        raise LogoRefused("the logo file is empty — choose a PNG or JPEG picture")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefused(f"the logo is {len(data) / 1e6:.1f} MB: at most {MAX_LOGO_BYTES / 1e6:.0f} MB — "
                          "export it smaller (a logo needs a few hundred pixels)")
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise LogoRefused("SVG logos are not accepted (they can carry scripts) — export the logo as PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
            width, height = picture.size
            if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
                raise LogoRefused(f"the logo is {width}×{height} pixels: at most {MAX_LOGO_SIDE} on each side — "
                                  "export it smaller")
            picture.load()
    except LogoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError) as exc:
        del exc
        raise LogoRefused("the logo is not a PNG or JPEG picture (or the file is damaged) — export it as PNG "
                          "or JPEG") from None
    picture = picture.convert("RGBA")
    scale = min(1.0, STORED_HEIGHT / picture.height, STORED_WIDTH / picture.width)
    if scale < 1.0:
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)  # no metadata chunk is carried over
    return out.getvalue(), picture.width, picture.height
