"""The baseline the respondent benchmark compares us with: the same pages, nothing else.

A minimal Litestar app with our respondent routes. Pages are a bare render of *our* templates
(`templates/respond_page.html`, `respond_done.html`) through a plain Jinja2 environment, so the HTML
is the same size and the template cost is the same; what is left out is everything ours adds around
it: no CSRF, no signing, no validation, no SQLAlchemy. Answers travel page to page in the hidden
`state` field as unsigned base64 JSON; the last page does ONE raw `sqlite3` INSERT (answers as JSON)
into a `response` table shaped like ours, with the same durability settings
(WAL, synchronous=FULL, busy_timeout), from a sync handler with one connection per thread.

Run: `python bench/reference_app.py --port 8101 --database /tmp/ref.db --questionnaire questionnaires/x.yaml`
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from litestar import Litestar, MediaType, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect
from markupsafe import Markup, escape

from survey.messages import LANGUAGES, translate
from survey.schema import Questionnaire, load_questionnaire
from survey.templating import environment

SCHEMA = """
CREATE TABLE IF NOT EXISTS response (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL,
    submission_key VARCHAR(64) NOT NULL UNIQUE,
    submitted_at DATETIME NOT NULL,
    answers JSON NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_response_version_submitted ON response (version_id, submitted_at);
"""
INSERT = ("INSERT INTO response (version_id, submission_key, submitted_at, answers) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (submission_key) DO NOTHING")
HTML_HEADERS = {"Content-Language": "fr", "Cache-Control": "no-store"}
Form = Annotated[dict[str, list[str] | str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class RenderEveryTime:
    """The page template's question cache, keeping nothing: the reference renders every question every time."""

    def key(self, _question: object) -> None:
        return None

    def get(self, _key: object) -> None:
        return None

    def keep(self, _key: object, html: Markup) -> Markup:
        return html


def connect(database: str) -> sqlite3.Connection:
    """A connection with our durability settings; autocommit, so each INSERT is its own transaction."""
    conn = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def blank_context(questionnaire: Questionnaire) -> dict[str, Any]:
    """What our respondent templates read besides the page itself, for a page in French with no error and no
    logic (both baselines render with it)."""
    return {"t": partial(translate, language="fr"), "lang": "fr", "member": None, "csrf_token": lambda: "",
            "languages": LANGUAGES, "errors": {}, "issues": [], "questionnaire": questionnaire,
            "page_count": len(questionnaire.pages), "prefix": "", "hidden_fields": set(), "offered": {},
            "ordered": lambda q: q.options(), "piped": escape, "repeat_counts": {}, "repeat_fixed": {},
            "notice": None, "preview": None, "shown": "", "logic": "{}", "fragments": RenderEveryTime()}


def create_app(database: str, questionnaire: Questionnaire) -> Litestar:
    """The reference app for one questionnaire, storing into the SQLite file `database`."""
    with connect(database) as conn:
        conn.executescript(SCHEMA)
    local = threading.local()
    env = environment()
    page_template, done_template = env.get_template("respond_page.html"), env.get_template("respond_done.html")
    common = {**blank_context(questionnaire), "action": f"/s/{questionnaire.id}"}

    def page_html(index: int, key: str, answers: dict[str, list[str]]) -> Response[str]:
        page = questionnaire.pages[index]
        state = base64.urlsafe_b64encode(json.dumps({"page": index, "key": key, "answers": answers},
                                                    separators=(",", ":")).encode()).decode()
        html = page_template.render(**common, path=f"/s/{questionnaire.id}", page=page, page_number=index + 1,
                                    values={q.name: answers.get(q.name, []) for q in page.questions},
                                    controls={"state": state}, can_save=False, resume_url=None, expires=None,
                                    prefilled=frozenset(),
                                    is_first=index == 0, is_last=index == len(questionnaire.pages) - 1)
        return Response(html, status_code=200, media_type=MediaType.HTML, headers=HTML_HEADERS)

    def known(questionnaire_id: str) -> None:
        if questionnaire_id != questionnaire.id:
            raise NotFoundException()

    @get("/s/{questionnaire_id:str}")
    async def start(questionnaire_id: str) -> Response[str]:
        known(questionnaire_id)
        return page_html(0, secrets.token_urlsafe(18), {})

    @post("/s/{questionnaire_id:str}", sync_to_thread=True)
    def answer(questionnaire_id: str, data: Form) -> Response[str] | Redirect:
        known(questionnaire_id)
        state = json.loads(base64.urlsafe_b64decode(str(data["state"])))
        index = state["page"]
        answers = state["answers"]
        for q in questionnaire.pages[index].questions:
            posted = data.get(q.name)
            if posted:
                answers[q.name] = posted if isinstance(posted, list) else [posted]
        if index + 1 < len(questionnaire.pages):
            return page_html(index + 1, state["key"], answers)
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect(database)
        conn.execute(INSERT, (1, state["key"], dt.datetime.now(dt.UTC).isoformat(), json.dumps(answers)))
        return Redirect(f"/s/{questionnaire.id}/merci", status_code=303)

    @get("/s/{questionnaire_id:str}/merci")
    async def done(questionnaire_id: str) -> Response[str]:
        known(questionnaire_id)
        html = done_template.render(**common, path=f"/s/{questionnaire.id}/merci")
        return Response(html, status_code=200, media_type=MediaType.HTML, headers=HTML_HEADERS)

    return Litestar(route_handlers=[start, answer, done], openapi_config=None, debug=False)


def serve(make_app: Callable[[str, Questionnaire], Litestar], description: str, port: int,
          argv: list[str] | None = None) -> None:
    """Run a baseline app from the command line: `--port`, `--database`, `--questionnaire`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--database", required=True, help="SQLite file to store responses in")
    parser.add_argument("--questionnaire", type=Path, required=True, help="questionnaire YAML to serve")
    args = parser.parse_args(argv)
    app = make_app(args.database, load_questionnaire(args.questionnaire))
    # Same server settings as `survey serve`: one worker, no access log, no server header.
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, log_level="info", server_header=False)


def main(argv: list[str] | None = None) -> None:
    serve(create_app, __doc__.splitlines()[0], 8101, argv)


if __name__ == "__main__":
    main()
