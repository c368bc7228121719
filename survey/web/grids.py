"""Interview analysis pages: the framework matrix, quotes per code, code frequencies, the codebook with its
recoding, and the grid's export — under /staff/grids/<grid_id>/…

Evaluators and consultants of the grid's mission (`Action.ANALYSE_INTERVIEWS`); another mission's grid is a 404.
Who conducts interviews (`Action.CONDUCT_INTERVIEWS`: evaluators, admins) reads the notes as typed; a consultant
only ever gets the corpus pseudonymised (`survey.interviews.pseudonymise`), and so does every export. Filters are
GET forms (category, site, code), so the pages work without JavaScript and can be bookmarked. Recoding — rename,
merge, split a code — is for `Action.RECODE_INTERVIEWS` (evaluators, admins): a POST with its CSRF token, recorded
in the audit log, then back to the codebook (post/redirect/get).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect

from survey.access import Action
from survey.export.errors import ExportError
from survey.export.interviews import FORMATS
from survey.interview_analysis import load_corpus, write_grid_export
from survey.interviews.frequencies import code_frequencies
from survey.interviews.matrix import framework_matrix
from survey.interviews.model import Corpus
from survey.interviews.pseudonymise import pseudonymise_corpus
from survey.interviews.quotes import Filters, quotes_by_code
from survey.messages import translate
from survey.store import Store
from survey.store_codebook import InterviewError, NewCode
from survey.web.auth import guarded_member, require
from survey.web.pages import Form, PathId, ServicesDep, form_value, posted_int, render, request_language

RECODE = "interview_recode"  # audit action: a code renamed, merged or split
EXPORT = "interview_export"  # audit action: a grid's pseudonymised zip downloaded


def _mission_grid(store: Store, request: Request, grid_id: str) -> None:
    """404 unless the grid exists and the member works on its mission (its existence does not leak)."""
    mission = store.grid_mission(grid_id)
    if mission is None or not guarded_member(request).works_on(mission):
        raise NotFoundException()


def _corpus(store: Store, request: Request, grid_id: str) -> Corpus:
    """The grid's corpus as this member may read it: as typed for those who conduct interviews, else pseudonymised."""
    _mission_grid(store, request, grid_id)
    synthetic = request.query_params.get("synthetiques") == "1"
    corpus = load_corpus(store, grid_id, include_synthetic=synthetic, language=request_language(request))
    if corpus is None:
        raise NotFoundException()
    return corpus if guarded_member(request).can(Action.CONDUCT_INTERVIEWS) else pseudonymise_corpus(corpus)


def _filters(request: Request, corpus: Corpus) -> Filters:
    """The category and site asked for, when the grid has them (anything else: no filter)."""
    category = request.query_params.get("categorie", "")
    site = request.query_params.get("site", "")
    return Filters(category if category in {c.code for c in corpus.categories} else "",
                   site if site in corpus.sites() else "")


def _page(request: Request, template: str, corpus: Corpus, tab: str, filters: Filters | None = None,
          status: int = 200, **context: Any) -> Response:
    """A grid page: its tabs, the pseudonymisation notice and its filters, then what the page shows."""
    kept = filters or Filters()
    return render(request, template, status=status, corpus=corpus, tab=tab, filters=kept,
                  synthetic=request.query_params.get("synthetiques") == "1",
                  sites=[(code, corpus.site_name(code)) for code in corpus.sites()],
                  can_recode=guarded_member(request).can(Action.RECODE_INTERVIEWS), **context)


class GridsController(Controller):
    path = "/staff/grids"
    guards = [require(Action.ANALYSE_INTERVIEWS)]

    @get("/", sync_to_thread=True)
    def grids(self, request: Request, services: ServicesDep) -> Response:
        """The grids of the member's missions, each with its number of interviews."""
        member = guarded_member(request)
        listings = services.store.grids(None if member.sees_all_missions else member.missions)
        return render(request, "staff_grids.html", grids=listings)

    @get("/{grid_id:str}", sync_to_thread=True)
    def matrix(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        """The framework matrix: interviews as rows, themes as columns."""
        corpus = _corpus(services.store, request, grid_id)
        filters = _filters(request, corpus)
        return _page(request, "staff_grid_matrix.html", corpus, "matrix", filters,
                     matrix=framework_matrix(corpus, filters))

    @get("/{grid_id:str}/citations", sync_to_thread=True)
    def quotes(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        """Every coded passage, code by code, with who said it (pseudonym and profile); one code if asked."""
        corpus = _corpus(services.store, request, grid_id)
        filters = _filters(request, corpus)
        code = request.query_params.get("code", "")
        entries = quotes_by_code(corpus, filters)
        if code in {e.code.code for e in entries}:
            entries = [e for e in entries if e.code.code == code]
        else:
            code = ""
        return _page(request, "staff_grid_quotes.html", corpus, "quotes", filters, entries=entries, code=code,
                     all_codes=[(c.code, c.label, corpus.depth(c.code)) for c in corpus.code_tree()])

    @get("/{grid_id:str}/frequences", sync_to_thread=True)
    def frequencies(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        """Interviews and passages per code and category, under the mission's small-cell rule, with a bar chart."""
        corpus = _corpus(services.store, request, grid_id)
        filters = Filters(site=_filters(request, corpus).site)
        table = code_frequencies(corpus, filters)
        chart = [{"label": ("\u2003" * row.depth) + row.label, "percent": row.percent,
                  "percent_text": row.percent_text, "status": row.interviews[-1].status,
                  "shown_count": row.interviews[-1].text} for row in table.rows]
        if not any(row["percent"] > 0 for row in chart):  # every share hidden or nil: the table says it all
            chart = []
        return _page(request, "staff_grid_frequencies.html", corpus, "frequencies", filters, table=table,
                     chart=chart)

    @get("/{grid_id:str}/codes", sync_to_thread=True)
    def codes(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        """The codebook as recoded, with each code's passages; the recoding forms for evaluators."""
        return _codes_page(request, services.store, grid_id)

    @post("/{grid_id:str}/codes/renommer", sync_to_thread=True, guards=[require(Action.RECODE_INTERVIEWS)])
    def rename(self, request: Request, services: ServicesDep, grid_id: PathId, data: Form) -> Response:
        """Give a code another name and label; its passages keep it."""
        store = services.store
        _mission_grid(store, request, grid_id)
        ids = _code_ids(store, grid_id)
        code_id = _posted_code(data, "code_id", ids)
        new_code = (form_value(data, "new_code") or "").strip()
        label = (form_value(data, "label") or "").strip() or None
        return _recode(request, store, grid_id, lambda: store.rename_code(code_id, new_code or ids[code_id], label),
                       {"op": "rename", "code": ids.get(code_id, ""), "new_code": new_code, "label": label or ""})

    @post("/{grid_id:str}/codes/fusionner", sync_to_thread=True, guards=[require(Action.RECODE_INTERVIEWS)])
    def merge(self, request: Request, services: ServicesDep, grid_id: PathId, data: Form) -> Response:
        """Merge a code into another: its passages and sub-codes go there."""
        store = services.store
        _mission_grid(store, request, grid_id)
        ids = _code_ids(store, grid_id)
        source, into = _posted_code(data, "source_id", ids), _posted_code(data, "into_id", ids)
        return _recode(request, store, grid_id, lambda: store.merge_codes([source], into),
                       {"op": "merge", "code": ids.get(source, ""), "into": ids.get(into, "")})

    @post("/{grid_id:str}/codes/scinder", sync_to_thread=True, guards=[require(Action.RECODE_INTERVIEWS)])
    def split(self, request: Request, services: ServicesDep, grid_id: PathId, data: Form) -> Response:
        """Split a code: one or two finer codes under it, and the passages each one takes."""
        store = services.store
        _mission_grid(store, request, grid_id)
        ids = _code_ids(store, grid_id)
        code_id = _posted_code(data, "code_id", ids)
        new = [NewCode((form_value(data, f"code_{n}") or "").strip(), (form_value(data, f"label_{n}") or "").strip())
               for n in (1, 2)]
        new = [n for n in new if n.code]
        assign: dict[int, str] = {}
        for name, value in data.items():
            choice = value[0] if isinstance(value, list) else value
            passage = posted_int(name.removeprefix("passage_")) if name.startswith("passage_") else None
            if passage is not None and choice in ("1", "2"):
                index = int(choice) - 1
                if index < len(new):
                    assign[passage] = new[index].code
        return _recode(request, store, grid_id, lambda: store.split_code(code_id, new, assign),
                       {"op": "split", "code": ids.get(code_id, ""), "into": [n.code for n in new],
                        "passages": len(assign)}, split=code_id)

    @get("/{grid_id:str}/export", sync_to_thread=True)
    def export_form(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        """What the export holds, and its format."""
        corpus = _corpus(services.store, request, grid_id)
        return _page(request, "staff_grid_export.html", corpus, "export", formats=FORMATS, error="")

    @post("/{grid_id:str}/export", sync_to_thread=True)
    def export(self, request: Request, services: ServicesDep, grid_id: PathId, data: Form) -> Response:
        """The grid's pseudonymised zip, as one download (the same as `survey export GRID`)."""
        store, member = services.store, guarded_member(request)
        _mission_grid(store, request, grid_id)
        if not member.can(Action.DOWNLOAD):
            raise PermissionDeniedException()
        fmt = form_value(data, "format") or "xlsx"
        synthetic = form_value(data, "synthetiques") == "1"
        with tempfile.TemporaryDirectory(prefix="survey-grid-") as folder:
            try:
                path = write_grid_export(store, grid_id, fmt, Path(folder) / f"{grid_id}.zip",
                                         include_synthetic=synthetic)
            except ExportError:  # only a format the form does not offer gets here
                corpus = _corpus(store, request, grid_id)
                error = translate("grid_export_bad_format", request_language(request), formats=", ".join(FORMATS))
                return _page(request, "staff_grid_export.html", corpus, "export", status=400, formats=FORMATS,
                             error=error)
            content = path.read_bytes()
        store.audit(EXPORT, member, grid_id, detail={"format": fmt, "grid": True, "pseudonymised": True,
                                                     "synthetic": synthetic})
        stamp = f"{grid_id}-{fmt}.zip"
        return Response(content, status_code=200, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{stamp}"', "Cache-Control": "no-store"})


def _code_ids(store: Store, grid_id: str) -> dict[int, str]:
    """The grid's codes now: id → code."""
    return {c.id: c.code for c in store.codes(grid_id)}


def _posted_code(data: Form, field: str, ids: dict[int, str]) -> int:
    """A code id posted in a form, when it is one of the grid's codes (else -1: the store refuses it clearly)."""
    value = posted_int((form_value(data, field) or "").strip())
    return value if value is not None and value in ids else -1


def _recode(request: Request, store: Store, grid_id: str, change: Any, detail: dict[str, Any],
            split: int | None = None) -> Response:
    """Run a recoding; audit it and go back to the codebook, or show the codebook with what went wrong."""
    try:
        change()
    except (InterviewError, ValueError, LookupError) as exc:
        message = str(exc) or translate("grid_unknown_code", request_language(request))
        return _codes_page(request, store, grid_id, status=400, split=split,
                           error=translate("grid_recode_error", request_language(request), detail=message))
    store.audit(RECODE, guarded_member(request), grid_id, detail={"grid": grid_id, **detail})
    return Redirect(f"/staff/grids/{grid_id}/codes?fait=1", status_code=303)


def _codes_page(request: Request, store: Store, grid_id: str, status: int = 200, split: int | None = None,
                error: str = "") -> Response:
    """The codebook page: codes as a tree with their passages; for evaluators, the recoding forms."""
    corpus = _corpus(store, request, grid_id)
    stored = store.codes(grid_id)
    ids = {c.code: c.id for c in stored}
    passages = {entry.code.code: entry.quotes for entry in quotes_by_code(corpus)}
    asked = request.query_params.get("scinder", "")
    splitting = split if split is not None else posted_int(asked)
    split_code = next((c for c in stored if c.id == splitting), None)
    rows = [{"id": ids.get(c.code), "code": c.code, "label": c.label, "definition": c.definition,
             "depth": corpus.depth(c.code), "passages": len(passages.get(c.code, ()))} for c in corpus.code_tree()]
    return _page(request, "staff_grid_codes.html", corpus, "codes", status=status, rows=rows, error=error,
                 done=request.query_params.get("fait") == "1", split_code=split_code,
                 split_passages=passages.get(split_code.code, ()) if split_code else ())
