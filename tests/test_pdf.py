"""The PDF summary: it renders, it escapes questionnaire text, and it fetches nothing from outside."""

from __future__ import annotations

import datetime as dt
import html as html_module
import http.server
import io
import threading
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from factories import record, sample_questionnaire

from survey.aggregate import summarise
from survey.report.charts import bar_chart
from survey.report.pdf import AssetFetcher, ResourceRefused, render_pdf, render_report_html
from survey.templating import TEMPLATES_DIR, environment

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
)
RECORDS = [
    record({"connait_bp": True, "quartier": "nord", "age": 31, "date_vote": "2025-06-02"}, "resp_1"),
    record({"connait_bp": True, "quartier": "sud", "age": 45}, "resp_2", "2026-03-20T10:00:00"),
    record({"connait_bp": False, "canaux": ["affiches"], "commentaire": "secret"}, "resp_3"),
]


def parsed_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Parser().feed(html)
    return tags


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_pdf_shows_title_period_and_counts():
    questionnaire = sample_questionnaire(title="Synthèse Saint-Aubin 2026")
    summary = summarise(questionnaire, RECORDS, "fr", small_cells=1)
    html = render_report_html(questionnaire, summary, "fr", today=dt.date(2026, 7, 1))
    fetcher = AssetFetcher()
    content = render_pdf(html, url_fetcher=fetcher)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Synthèse Saint-Aubin 2026" in text
    assert "Nombre de réponses 3" in text
    assert "14/03/2026 – 20/03/2026" in text
    assert "Document produit le 01/07/2026" in text
    assert "Oui 2 66,7" in text and "Non 1 33,3" in text
    assert "Médiane" in text and "38" in text
    assert "secret" not in text, "free text is never reproduced"
    assert fetcher.served == [(TEMPLATES_DIR / "report.css").resolve().as_uri()] and fetcher.refused == []


def test_report_html_is_accessible_and_in_english_on_request():
    questionnaire = sample_questionnaire()
    html = render_report_html(questionnaire, summarise(questionnaire, RECORDS, "en", small_cells=1), "en")
    assert '<html lang="en">' in html
    assert "Number of responses" in html and "Summary of responses" in html
    assert '<th scope="row">Yes</th>' in html and '<th scope="col">' in html and "<caption>" in html
    assert html.count('role="img"') == html.count("<svg") > 0
    assert html.count("aria-label=") == html.count("<svg")


def test_report_without_responses_says_so():
    questionnaire = sample_questionnaire()
    html = render_report_html(questionnaire, summarise(questionnaire, [], "fr", small_cells=1), "fr")
    assert "Aucune réponse pour l’instant." in html and "<svg" not in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_questionnaire_text_is_escaped_in_the_report(payload):
    questionnaire = sample_questionnaire(title=payload, label=payload, choice_label=payload)
    questionnaire = questionnaire.model_copy(
        update={"mission": questionnaire.mission.model_copy(update={"name": payload, "client": payload})}
    )
    html = render_report_html(questionnaire, summarise(questionnaire, RECORDS, "fr", small_cells=1), "fr")
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg onload" not in lowered
    tags = parsed_tags(html)
    assert not {"script", "img", "iframe"} & {tag for tag, _ in tags}
    attributes = [(name, value or "") for _, attrs in tags for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on")], "no event handler attribute"
    assert not [v for name, v in attributes if name in ("href", "src") and "javascript" in v]
    assert payload in html_module.unescape(html), "the text is shown, as text"
    assert render_pdf(html).startswith(b"%PDF")


def test_bar_chart_escapes_labels_and_is_labelled():
    from survey.aggregate import Row

    svg = str(bar_chart([Row("a", "<svg onload=alert(1)>", 3, 75.0, "75")], 'Q "1" <b>'))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="Q &#34;1&#34; &lt;b&gt;"' in svg and "<title>Q &#34;1&#34; &lt;b&gt;</title>" in svg
    assert "<svg onload" not in svg and "&lt;svg onload=alert(1)&gt;" in svg
    assert 'width="165.0"' in svg, "bar length is the percent of the bar area"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_spy():
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


def test_pdf_fetches_nothing_outside_the_asset_dir(http_spy):
    base, requests = http_spy
    url = f"{base}/x.png"
    questionnaire = sample_questionnaire(label=f'<img src="{url}"> file:///etc/passwd ')
    html = render_report_html(questionnaire, summarise(questionnaire, RECORDS, "fr", small_cells=1), "fr")
    fetcher = AssetFetcher()
    assert render_pdf(html, url_fetcher=fetcher).startswith(b"%PDF")
    assert fetcher.refused == [], "escaped text is never taken for a resource"

    raw = f"""<html><head><link rel=stylesheet href="file:///etc/passwd">
    <link rel=stylesheet href="{base}/style.css"><link rel=stylesheet href="../pyproject.toml">
    <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style></head>
    <body><img src="{base}/y.png"><img src="data:image/png;base64,iVBORw0KGgo=">
    <img src="file:///etc/passwd"><svg><image href="{base}/z.png"/></svg><p>Bonjour</p></body></html>"""
    fetcher = AssetFetcher()
    content = render_pdf(raw, url_fetcher=fetcher)
    assert content.startswith(b"%PDF") and "Bonjour" in pdf_text(content)
    assert requests == [], "the local server received no request"
    assert "file:///etc/passwd" in fetcher.refused
    assert f"{base}/y.png" in fetcher.refused and f"{base}/style.css" in fetcher.refused
    assert any(u.startswith("data:") for u in fetcher.refused)
    assert fetcher.served == []


def test_fetcher_serves_stylesheets_of_the_asset_dir_only(tmp_path):
    fetcher = AssetFetcher()
    css = (TEMPLATES_DIR / "report.css").resolve()
    assert fetcher.asset_path(css.as_uri()) == css
    response = fetcher(css.as_uri())
    assert response.content_type == "text/css" and b"@page" in response.read()
    outside = tmp_path / "evil.css"
    outside.write_text("body{}")
    refused = [
        "file:///etc/passwd",
        outside.as_uri(),
        css.as_uri() + "?x=1",
        f"file://{TEMPLATES_DIR}/../pyproject.toml",
        f"file://{TEMPLATES_DIR}/%2e%2e/pyproject.toml",
        (TEMPLATES_DIR / "report.html").as_uri(),
        f"file://evil.example{css}",
        "http://127.0.0.1:9/report.css",
        "https://example.org/report.css",
        "data:text/css,body{}",
        "ftp://example.org/x.css",
    ]
    for url in refused:
        with pytest.raises(ResourceRefused):
            fetcher(url)
    assert fetcher.refused == refused


def test_pdf_module_is_the_only_weasyprint_import():
    survey_dir = Path(__file__).resolve().parent.parent / "survey"
    importing = sorted(
        p.relative_to(survey_dir).as_posix()
        for p in survey_dir.rglob("*.py")
        if "import weasyprint" in p.read_text(encoding="utf-8") or "from weasyprint" in p.read_text(encoding="utf-8")
    )
    assert importing == ["report/pdf.py"]


def test_summary_partial_renders_with_the_staff_page_context():
    questionnaire = sample_questionnaire()
    template = environment().from_string('{% include "_summary.html" %}')
    summary = summarise(questionnaire, RECORDS, "en", small_cells=1)
    html = template.render(summary=summary, t=lambda k, **p: k, lang="en")
    assert "<h3>Connaissiez-vous le budget participatif ?</h3>" in html and "<svg" in html
