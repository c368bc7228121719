"""The second baseline of the respondent benchmark: our pages served pre-rendered, with our flow's SQL.

`reference_app.py` renders our templates on every request, so it carries the same template cost as ours and
hides it. This app renders each page ONCE at start-up, through our templates (`respond_page.html`,
`respond_done.html`, plain Jinja2 environment, blank values, no errors) and keeps its bytes cut at the form's
key; a request only joins those bytes around the respondent's key. It follows our respondent flow step for step
(survey/web/respond.py), so a journey costs the same requests and the same statements:

- `GET /s/<id>`: page 1 with a freshly drawn form key in its `form` field; stores nothing.
- `POST /s/<id>`: one INSERT of a form session (key, page, answers as JSON), then 303 to
  `/s/<id>/f/<key>?page=<page id>`.
- `GET /s/<id>/f/<key>`: one SELECT of the session, the bytes of the page it stands on.
- `POST /s/<id>/f/<key>`: one SELECT, the posted fields merged into the answers, then one UPDATE of the session
  (partial save) and 303 to the next page; on the last page, in one transaction, ONE INSERT of the response and
  one UPDATE marking the session completed, then 303 to `/s/<id>/merci`.
- `GET /s/<id>/merci`: pre-rendered bytes.

What it leaves out is everything ours adds around that: no CSRF, no cookie, no validation, no skip logic, no
SQLAlchemy, no publishing or quota checks; raw `sqlite3` with our durability settings (WAL, synchronous=FULL,
busy_timeout), one connection per thread; the statements run in a worker thread, as ours.

Run: `python bench/prerendered_app.py --port 8102 --database /tmp/pre.db --questionnaire questionnaires/x.yaml`
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from anyio import to_thread
from litestar import Litestar, MediaType, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_app import HTML_HEADERS, SCHEMA, blank_context, connect, serve  # noqa: E402

from survey.schema import Questionnaire  # noqa: E402
from survey.templating import environment  # noqa: E402

FORM_SCHEMA = """
CREATE TABLE IF NOT EXISTS form_session (
    id INTEGER PRIMARY KEY,
    key VARCHAR(64) NOT NULL UNIQUE,
    page INTEGER NOT NULL,
    answers JSON NOT NULL,
    status VARCHAR(16) NOT NULL,
    updated_at DATETIME NOT NULL
);
"""
START = "INSERT INTO form_session (key, page, answers, status, updated_at) VALUES (?, ?, ?, 'in_progress', ?)"
READ = "SELECT page, answers, status FROM form_session WHERE key = ?"
SAVE = "UPDATE form_session SET page = ?, answers = ?, updated_at = ? WHERE key = ? AND status = 'in_progress'"
INSERT = ("INSERT INTO response (version_id, submission_key, submitted_at, answers) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (submission_key) DO NOTHING")
COMPLETE = "UPDATE form_session SET status = 'completed', answers = '{}', updated_at = ? WHERE key = ?"
KEY_MARK = "KEYKEYKEYKEYKEYKEYKEYKEY"  # 24 characters like a form key; nothing escapes or contains it
Form = Annotated[dict[str, list[str] | str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class Page:
    """A page's bytes, cut where the form key goes; `html(key)` joins them (the only per-respondent work)."""

    def __init__(self, html: str):
        self.parts = [part.encode() for part in html.split(KEY_MARK)]

    def html(self, key: str) -> bytes:
        return key.encode().join(self.parts)


def render_pages(questionnaire: Questionnaire) -> tuple[list[Page], Page]:
    """Every page as our templates render it blank (page 1 to start; the others on the form's URL), and merci."""
    env = environment()
    page_template, done_template = env.get_template("respond_page.html"), env.get_template("respond_done.html")
    common = {**blank_context(questionnaire), "can_save": True, "resume_url": None, "expires": None,
              "prefilled": frozenset(), "values": {}}
    pages = []
    for index, page in enumerate(questionnaire.pages):
        if index == 0:
            action = f"/s/{questionnaire.id}"
            controls = {"version": "1", "language": "fr", "page": "0", "form": KEY_MARK}
        else:
            action = f"/s/{questionnaire.id}/f/{KEY_MARK}"
            controls = {"page": str(index), "language": "fr"}
        pages.append(Page(page_template.render(**common, path=action, action=action, page=page,
                                               page_number=index + 1, controls=controls, is_first=index == 0,
                                               is_last=index == len(questionnaire.pages) - 1)))
    done = Page(done_template.render(**common, path=f"/s/{questionnaire.id}/merci", erase_url=None))
    return pages, done


def create_app(database: str, questionnaire: Questionnaire) -> Litestar:
    """The pre-rendered baseline for one questionnaire, storing into the SQLite file `database`."""
    with connect(database) as conn:
        conn.executescript(SCHEMA + FORM_SCHEMA)
    local = threading.local()
    pages, done_page = render_pages(questionnaire)
    last = len(pages) - 1

    def db() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = connect(database)
        return conn

    def now() -> str:
        return dt.datetime.now(dt.UTC).isoformat()

    def html(page: Page, key: str) -> Response[bytes]:
        return Response(page.html(key), status_code=200, media_type=MediaType.HTML, headers=HTML_HEADERS)

    def to_form(key: str, index: int) -> Redirect:
        return Redirect(f"/s/{questionnaire.id}/f/{key}?page={quote(questionnaire.pages[index].id)}",
                        status_code=303)

    def known(questionnaire_id: str) -> None:
        if questionnaire_id != questionnaire.id:
            raise NotFoundException()

    def merged(answers: dict[str, list[str]], index: int, data: Form) -> dict[str, list[str]]:
        for q in questionnaire.pages[index].questions:
            posted = data.get(q.name)
            if posted:
                answers[q.name] = posted if isinstance(posted, list) else [posted]
        return answers

    @get("/s/{questionnaire_id:str}")
    async def start(questionnaire_id: str) -> Response[bytes]:
        known(questionnaire_id)
        return html(pages[0], secrets.token_urlsafe(18))

    def first(data: Form) -> Redirect:
        key = str(data.get("form") or secrets.token_urlsafe(18))
        db().execute(START, (key, 1, json.dumps(merged({}, 0, data)), now()))
        return to_form(key, 1)

    def show(key: str) -> Response[bytes]:
        row = db().execute(READ, (key,)).fetchone()
        if row is None:
            raise NotFoundException()
        return html(pages[row[0]], key)

    def answer(key: str, data: Form) -> Redirect:
        conn = db()
        row = conn.execute(READ, (key,)).fetchone()
        if row is None or row[2] != "in_progress":
            raise NotFoundException()
        index, answers = row[0], merged(json.loads(row[1]), row[0], data)
        if index < last:
            conn.execute(SAVE, (index + 1, json.dumps(answers), now(), key))
            return to_form(key, index + 1)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(INSERT, (1, key, now(), json.dumps(answers)))
            conn.execute(COMPLETE, (now(), key))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return Redirect(f"/s/{questionnaire.id}/merci?form={key}", status_code=303)

    # Like ours: async handlers that hand the statements to a worker thread.
    @post("/s/{questionnaire_id:str}")
    async def post_first(questionnaire_id: str, data: Form) -> Redirect:
        known(questionnaire_id)
        return await to_thread.run_sync(first, data)

    @get("/s/{questionnaire_id:str}/f/{key:str}")
    async def get_form(questionnaire_id: str, key: str) -> Response[bytes]:
        known(questionnaire_id)
        return await to_thread.run_sync(show, key)

    @post("/s/{questionnaire_id:str}/f/{key:str}")
    async def post_form(questionnaire_id: str, key: str, data: Form) -> Redirect:
        known(questionnaire_id)
        return await to_thread.run_sync(answer, key, data)

    @get("/s/{questionnaire_id:str}/merci")
    async def done(questionnaire_id: str) -> Response[bytes]:
        known(questionnaire_id)
        return html(done_page, "")

    return Litestar(route_handlers=[start, post_first, get_form, post_form, done], openapi_config=None, debug=False)


def main(argv: list[str] | None = None) -> None:
    serve(create_app, __doc__.splitlines()[0], 8102, argv)


if __name__ == "__main__":
    main()
