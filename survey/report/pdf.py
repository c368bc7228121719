"""Report HTML → PDF. The only module importing WeasyPrint; it may read nothing but our stylesheet."""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from survey.aggregate import Summary, format_date
from survey.messages import translate
from survey.schema.model import Questionnaire
from survey.templating import TEMPLATES_DIR, environment

log = logging.getLogger(__name__)

ASSET_DIR = TEMPLATES_DIR
ASSET_SUFFIXES = frozenset({".css"})


class ResourceRefused(ValueError):
    """A report asked for a resource outside our asset directory (remote, local file, data: URL)."""


LOGO_NAME = "mission-logo.png"  # the mission's logo, as the report names it: served from memory, never from disk


class AssetFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves stylesheets from `asset_dir`, and pictures handed to it in memory (the
    mission's logo, `inline`: name → PNG bytes), and refuses any other URL."""

    def __init__(self, asset_dir: Path = ASSET_DIR, suffixes: frozenset[str] = ASSET_SUFFIXES,
                 inline: dict[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.asset_dir = Path(asset_dir).resolve()
        self.suffixes = suffixes
        self.inline = {(self.asset_dir / name).as_uri(): content for name, content in (inline or {}).items()}
        self.served: list[str] = []
        self.refused: list[str] = []

    def asset_path(self, url: str) -> Path | None:
        """The file `url` names when it is an allowed asset; `None` for anything else."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.asset_dir) or path.suffix not in self.suffixes or not path.is_file():
            return None
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve an allowed asset, or raise `ResourceRefused` (WeasyPrint then renders without it)."""
        if url in self.inline:
            self.served.append(url)
            return URLFetcherResponse(url, self.inline[url], {"Content-Type": "image/png"})
        path = self.asset_path(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF report: refused to fetch %.200r", url)
            raise ResourceRefused(f"not a report asset: {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def render_report_html(
    questionnaire: Questionnaire, summary: Summary, language: str, *, today: dt.date | None = None,
    branding: Any = None,
) -> str:
    """The report as HTML (templates/report.html), every questionnaire text autoescaped; `branding` (a
    `store_publishing.Branding`) puts the mission's name and logo on the cover."""

    def t(key: str, **params: Any) -> str:
        return translate(key, language, **params)

    return (
        environment()
        .get_template("report.html")
        .render(
            questionnaire=questionnaire,
            summary=summary,
            t=t,
            lang=language,
            generated_on=format_date(today or dt.date.today(), language),
            branding=branding,
            logo_name=LOGO_NAME,
        )
    )


def render_pdf(html: str, *, url_fetcher: AssetFetcher | None = None) -> bytes:
    """The PDF of `html`; relative URLs resolve in the asset directory and nothing else is fetched."""
    fetcher = url_fetcher or AssetFetcher()
    document = weasyprint.HTML(string=html, base_url=f"{fetcher.asset_dir}/", url_fetcher=fetcher)
    return document.write_pdf()
