"""Interviewer mode: the grids and interviews of the member's missions, starting an interview, the interview page
(guide, notes, summaries, closed questions, coded passages, transcript), its saves, completion and audit trail.

Staff with `Action.CONDUCT_INTERVIEWS` (interviewers, evaluators, admins), on their missions only: another
mission's grid or interview is a 404, so that its existence does not leak. Every change is a POST with its CSRF
token: the page's one form saves every field it holds before any of its buttons does its own thing (add a passage,
remove a code, complete), and answers with a redirect (post/redirect/get), or the page again with both texts when
a save is refused because the slot changed elsewhere. interview.js saves the same slots through `save.json`.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect

from survey.access import Action
from survey.anchoring import nearest
from survey.messages import translate
from survey.schema.interview import TRANSCRIPT, InterviewGrid
from survey.store import Store
from survey.store_codebook import InterviewError
from survey.store_interviews import CHANNELS, Interview
from survey.transcripts import MAX_FILE_BYTES, TranscriptUnreadable, read_transcript
from survey.web.auth import guarded_member, require
from survey.web.interview_saves import Conflict, apply_edits, closed_questions, json_body, posted_edits
from survey.web.interview_view import (
    InterviewPage,
    closed_fields,
    closed_question,
    closed_text,
    localiser,
    pseudonym,
)
from survey.web.pages import (
    Form,
    PathId,
    ServicesDep,
    form_fields,
    form_value,
    posted_int,
    render,
    request_language,
)

PathInt = FromPath[int]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PROFILE_LIMIT = 200  # characters of an organisation, a role, a name (the store's columns)
SECTION = re.compile(r"(introduction|theme-[a-z0-9_-]{1,48}|transcription|ajout-passage|cloture)")
NOTICES = {"saved": "interview_saved", "unchanged": "interview_nothing_changed", "segment": "segment_added",
           "untagged": "segment_untagged", "transcript": "transcript_imported"}


def _interview(store: Store, request: Request, interview_id: int) -> tuple[Interview, InterviewGrid]:
    """An interview of the member's missions with the grid version it follows; 404 otherwise."""
    interview = store.interview(interview_id)
    mission = store.grid_mission(interview.grid_id) if interview is not None else None
    if interview is None or mission is None or not guarded_member(request).works_on(mission):
        raise NotFoundException()
    loaded = store.grid_version(interview.grid_version_id)
    if loaded is None:
        raise NotFoundException()
    return interview, loaded.grid


def _grid(store: Store, request: Request, grid_id: str) -> InterviewGrid:
    """The current version of a grid of the member's missions; 404 otherwise."""
    mission = store.grid_mission(grid_id)
    loaded = store.grid(grid_id) if mission is not None and guarded_member(request).works_on(mission) else None
    if loaded is None:
        raise NotFoundException()
    return loaded.grid


def _page(request: Request, store: Store, interview: Interview, grid: InterviewGrid, *, status: int = 200,
          **context: Any) -> Response:
    """The interview page (see InterviewPage); a fresh save id for its form each time it is shown."""
    audit = store.interview_audit(interview.id)  # read once: it names the people shown too
    people = {interview.interviewer_id} | {entry.staff_id for entry in audit}
    audit = audit if interview.complete else []
    page = InterviewPage(grid, interview, request_language(request), store.codes(interview.grid_id),
                         store.staff_emails({p for p in people if p is not None}), audit)
    return render(request, "staff_interview.html", status=status,
                  **page.context(save_id=secrets.token_urlsafe(18), **context))


def _back(interview_id: int, done: str, data: Form) -> Redirect:
    """Back to the interview page at the section the button named (post/redirect/get)."""
    section = form_value(data, "go-to") or ""
    anchor = f"#{section}" if SECTION.fullmatch(section) else ""
    return Redirect(f"/staff/interviews/{interview_id}?done={done}{anchor}", status_code=303)


def _json(content: dict[str, Any], status: int = 200) -> Response:
    return Response(content, status_code=status, headers={"Cache-Control": "no-store"})


class InterviewsController(Controller):
    path = "/staff/interviews"
    guards = [require(Action.CONDUCT_INTERVIEWS)]

    @get("/", sync_to_thread=True)
    def interviews(self, request: Request, services: ServicesDep) -> Response:
        """Every grid of the member's missions, with its interviews."""
        store, member, language = services.store, guarded_member(request), request_language(request)
        listings = store.grids(None if member.sees_all_missions else member.missions)
        grids = []
        for listing in listings:
            loaded = store.grid(listing.id)
            if loaded is None:
                continue
            grid, tx = loaded.grid, localiser(loaded.grid, language)
            found = store.interviews(listing.id)
            sites = {site.code: tx(site.label) for site in grid.profile.sites}
            emails = store.staff_emails({i.interviewer_id for i in found if i.interviewer_id is not None})
            rows = [{"id": i.id, "pseudonym": pseudonym(grid, i, language), "name": i.interviewee_name,
                     "profile": " · ".join(x for x in (i.organisation, i.role, sites.get(i.site, i.site)) if x),
                     "interviewer": emails.get(i.interviewer_id or -1, ""), "status": i.status,
                     "updated": i.updated_at.strftime("%d/%m/%Y %H:%M")} for i in found]
            grids.append({"id": listing.id, "title": tx(grid.title), "mission": grid.mission.name if grid.mission
                          else listing.mission_id, "themes": len(grid.themes), "minutes": grid.duration,
                          "version": listing.version, "interviews": rows})
        return render(request, "staff_interviews.html", grids=grids)

    @get("/new/{grid_id:str}", sync_to_thread=True)
    def start_form(self, request: Request, services: ServicesDep, grid_id: PathId) -> Response:
        grid = _grid(services.store, request, grid_id)
        return _start_page(request, grid, {"channel": "face_to_face"}, {})

    @post("/new/{grid_id:str}", sync_to_thread=True)
    def start(self, request: Request, services: ServicesDep, grid_id: PathId, data: Form) -> Response:
        """Check the profile; start the interview and open its page."""
        grid = _grid(services.store, request, grid_id)
        language = request_language(request)
        values = {name: (form_value(data, name) or "").strip() for name in
                  ("category", "organisation", "role", "site", "name", "channel")}
        errors: dict[str, str] = {}
        if grid.profile.category(values["category"]) is None:
            errors["category"] = translate("interview_pick_category", language)
        if values["channel"] not in CHANNELS:
            errors["channel"] = translate("interview_pick_channel", language)
        if values["site"] and grid.profile.sites and values["site"] not in {s.code for s in grid.profile.sites}:
            errors["site"] = translate("interview_pick_site", language)
        for name in ("organisation", "role", "name", "site"):
            if len(values[name]) > (64 if name == "site" else PROFILE_LIMIT):
                errors[name] = translate("interview_too_long", language, max=64 if name == "site" else PROFILE_LIMIT)
        if errors:
            return _start_page(request, grid, values, errors)
        try:
            started = services.store.start_interview(
                grid_id, category=values["category"], interviewer_id=guarded_member(request).id,
                interviewee_name=values["name"], organisation=values["organisation"], role=values["role"],
                site=values["site"], channel=values["channel"])
        except InterviewError as exc:  # e.g. too many started at once: the message says to try again
            return _start_page(request, grid, values, {"category": str(exc)})
        return Redirect(f"/staff/interviews/{started.id}#introduction", status_code=303)

    @get("/{interview_id:int}", sync_to_thread=True)
    def interview(self, request: Request, services: ServicesDep, interview_id: PathInt) -> Response:
        interview, grid = _interview(services.store, request, interview_id)
        done = NOTICES.get(request.query_params.get("done", ""))
        return _page(request, services.store, interview, grid,
                     notice=translate(done, request_language(request)) if done else "")

    @post("/{interview_id:int}/save", sync_to_thread=True)
    def save(self, request: Request, services: ServicesDep, interview_id: PathInt, data: Form) -> Response:
        """The page's Save buttons (no JavaScript needed)."""
        return _save_then(request, services.store, interview_id, data, lambda interview: "saved")

    @post("/{interview_id:int}/complete", sync_to_thread=True)
    def complete(self, request: Request, services: ServicesDep, interview_id: PathInt, data: Form) -> Response:
        """Save the page, then mark the interview complete: every later change is audited."""
        def then(interview: Interview) -> str:
            services.store.complete_interview(interview.id, guarded_member(request).id)
            return "saved"

        return _save_then(request, services.store, interview_id, data, then)

    @post("/{interview_id:int}/segments", sync_to_thread=True)
    def add_passage(self, request: Request, services: ServicesDep, interview_id: PathInt, data: Form) -> Response:
        """The no-JS form: save the page, then find the pasted passage in the chosen notes and code it."""
        store, language = services.store, request_language(request)
        fields = form_fields(data)
        slot = form_value(data, "quote-slot") or ""
        text = (form_value(data, "quote-text") or "").replace("\r\n", "\n").strip()
        quote = {"slot": slot, "text": text, "is_quote": form_value(data, "quote-is-quote") == "1",
                 "codes": [c for c in map(posted_int, fields.get("quote-code", [])) if c is not None]}

        def then(interview: Interview) -> str | tuple[str, str]:
            known = {code.id for code in store.codes(interview.grid_id)}
            unknown = [str(c) for c in quote["codes"] if c not in known]
            if not text:
                return "f-quote-text", translate("quote_empty", language)
            if unknown:
                return "f-quote-text", translate("quote_unknown_code", language, code=", ".join(unknown))
            fresh = store.interview(interview.id)
            span = nearest(fresh.body(slot), text, 0) if fresh is not None and slot in _codable(fresh, store) else None
            if span is None:
                return "f-quote-text", translate("quote_not_found", language)
            store.add_segment(interview.id, slot, *span, staff_id=guarded_member(request).id,
                              is_quote=bool(quote["is_quote"]), code_ids=quote["codes"])
            return "segment"

        return _save_then(request, store, interview_id, data, then, quote=quote)

    @post("/{interview_id:int}/segments/{segment_id:int}/untag/{code_id:int}", sync_to_thread=True)
    def untag(self, request: Request, services: ServicesDep, interview_id: PathInt, segment_id: PathInt,
              code_id: PathInt, data: Form) -> Response:
        """A code's × button (no JavaScript): save the page, then take the code off the passage."""
        def then(interview: Interview) -> str:
            if not any(segment.id == segment_id for segment in interview.segments):
                raise NotFoundException()
            services.store.untag_segment(segment_id, code_id, staff_id=guarded_member(request).id)
            return "untagged"

        return _save_then(request, services.store, interview_id, data, then)

    @post("/{interview_id:int}/save.json", sync_to_thread=True)
    def save_json(self, request: Request, services: ServicesDep, interview_id: PathInt,
                  data: JSONBody[dict[str, Any]]) -> Response:
        """interview.js's autosave: {slot, body, base_revision, save_id} → 200 {revision} or 409 {revision, body
        (the stored text), yours}. Resending a save_id already applied answers 200 with the revision it made."""
        interview, grid = _interview(services.store, request, interview_id)
        slot, base, save_id = data.get("slot"), data.get("base_revision"), data.get("save_id")
        if not isinstance(slot, str) or slot not in grid.slots():
            return _json({"detail": f"slot: one of the grid's slots, not {str(slot)[:80]!r}"}, 422)
        if not isinstance(base, int) or isinstance(base, bool) or not isinstance(save_id, str):
            return _json({"detail": "base_revision: an integer, save_id: a string"}, 422)
        try:
            body = json_body(grid, slot, data.get("body"), request_language(request))
            result = services.store.save_text(interview.id, slot, body, base_revision=base, save_id=save_id,
                                              staff_id=guarded_member(request).id)
        except (InterviewError, ValueError) as exc:
            return _json({"detail": str(exc)}, 422)
        if not result.ok:
            answer: dict[str, Any] = {"revision": result.revision, "body": result.body, "yours": body}
            question = closed_questions(grid).get(slot)
            if question is not None:  # what the page needs to show the stored answer and to take it
                language = request_language(request)
                shown = closed_question(question, localiser(grid, language))
                answer |= {"text": closed_text(shown, result.body, language),
                           "fields": closed_fields(question, result.body)}
            return _json(answer, 409)
        return _json({"revision": result.revision, "status": result.status})

    @post("/{interview_id:int}/segments.json", sync_to_thread=True)
    def add_segment_json(self, request: Request, services: ServicesDep, interview_id: PathInt,
                         data: JSONBody[dict[str, Any]]) -> Response:
        """Mark a passage selected in the page: {slot, start, end, text, is_quote, codes}. The passage is looked
        for near `start` in the saved text (the page saves it first); 409 when the saved text does not hold it."""
        interview, _ = _interview(services.store, request, interview_id)
        slot, text, start = data.get("slot"), data.get("text"), data.get("start")
        codes = data.get("codes") or []
        if not isinstance(slot, str) or slot not in _codable(interview, services.store) or not isinstance(text, str) \
                or not text.strip() or not isinstance(start, int) or not isinstance(codes, list) \
                or not all(isinstance(c, int) for c in codes):
            return _json({"detail": "slot, text, start and codes (a list of code ids) are needed"}, 422)
        span = nearest(interview.body(slot), text, start)
        if span is None:
            return _json({"detail": translate("quote_not_found", request_language(request))}, 409)
        try:
            segment = services.store.add_segment(interview.id, slot, *span, staff_id=guarded_member(request).id,
                                                 is_quote=bool(data.get("is_quote")), code_ids=codes)
        except InterviewError as exc:
            return _json({"detail": str(exc)}, 422)
        return _json(_segment_json(segment))

    @post("/{interview_id:int}/segments/{segment_id:int}/codes.json", sync_to_thread=True)
    def code_segment_json(self, request: Request, services: ServicesDep, interview_id: PathInt,
                          segment_id: PathInt, data: JSONBody[dict[str, Any]]) -> Response:
        """Give a passage a code ({code_id, on: true}) or take it off ({code_id, on: false})."""
        interview, _ = _interview(services.store, request, interview_id)
        code_id = data.get("code_id")
        if not any(segment.id == segment_id for segment in interview.segments):
            raise NotFoundException()
        if not isinstance(code_id, int):
            return _json({"detail": "code_id: a code's id"}, 422)
        try:
            staff_id = guarded_member(request).id
            if data.get("on", True):
                services.store.tag_segment(segment_id, code_id, staff_id=staff_id)
            else:
                services.store.untag_segment(segment_id, code_id, staff_id=staff_id)
        except InterviewError as exc:
            return _json({"detail": str(exc)}, 422)
        return _json(_segment_json(services.store.segment(segment_id)))

    @post("/{interview_id:int}/transcript", sync_to_thread=True)
    def upload_transcript(self, request: Request, services: ServicesDep, interview_id: PathInt,
                          data: Upload) -> Response:
        """A transcript file (.txt, .docx, .odt) becomes the interview's transcript, to be coded like notes."""
        store, language = services.store, request_language(request)
        interview, grid = _interview(store, request, interview_id)
        upload = data.get("transcript-file")
        base = str(data.get("base") or "")
        problem = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem = translate("transcript_missing", language)
        else:
            try:
                text = read_transcript(upload.filename, upload.file.read(MAX_FILE_BYTES + 1))
            except TranscriptUnreadable as exc:
                problem = translate("transcript_unreadable", language, detail=str(exc))
        if problem is not None:
            return _page(request, store, interview, grid, status=422, problems=[("f-transcript-file", problem)])
        result = store.save_text(interview.id, TRANSCRIPT, text, base_revision=posted_int(base) or 0,
                                 save_id=secrets.token_urlsafe(18), staff_id=guarded_member(request).id)
        if not result.ok:
            conflict = Conflict(result.body, result.revision, text)
            return _page(request, store, interview, grid, status=409, conflicts={TRANSCRIPT: conflict})
        return Redirect(f"/staff/interviews/{interview.id}?done=transcript#transcription", status_code=303)


def _codable(interview: Interview, store: Store) -> set[str]:
    """The slots whose text passages can be marked in: notes, summaries, the transcript (not closed answers)."""
    loaded = store.grid_version(interview.grid_version_id)
    return {slot for slot in (loaded.grid.slots() if loaded else []) if not slot.startswith("closed:")}


def _segment_json(segment: Any) -> dict[str, Any]:
    return {"id": segment.id, "slot": segment.slot, "start": segment.start, "end": segment.end,
            "text": segment.text, "is_quote": segment.is_quote, "codes": list(segment.code_ids)}


def _save_then(request: Request, store: Store, interview_id: int, data: Form, then: Any,
               quote: dict[str, Any] | None = None) -> Response:
    """Save the posted page; if every slot went in, do `then` (which returns a notice, or (field id, problem))
    and redirect; else show the page again with the conflicts or problems (409 / 422), nothing typed lost."""
    interview, grid = _interview(store, request, interview_id)
    member, language = guarded_member(request), request_language(request)
    fields = form_fields(data)
    save_id = form_value(data, "save-id") or secrets.token_urlsafe(18)
    edits, refused = posted_edits(grid, interview, fields, language)
    try:
        conflicts = apply_edits(store, member, interview, edits, save_id)
    except InterviewError as exc:  # a tampered save id or slot: the message says what
        refused = {**refused, "": str(exc)}
        conflicts = {}
    consent = {"yes": True, "no": False}.get(form_value(data, "consent") or "")
    if consent is not None and consent != interview.consent:
        store.update_interview(interview.id, member.id, consent=consent)
    if conflicts or refused:
        by_slot = {edit.slot: edit for edit in edits}
        shown = {slot: Conflict(result.body, result.revision, by_slot[slot].body,
                                {k: v for k, v in fields.items() if not k.startswith(("slot:", "base:"))})
                 for slot, result in conflicts.items()}
        problems = [(f"q-{slot.removeprefix('closed:')}" if slot else "interview-form", message)
                    for slot, message in refused.items()]
        fresh = store.interview(interview.id) or interview
        return _page(request, store, fresh, grid, status=409 if conflicts else 422, conflicts=shown,
                     problems=problems, quote=quote)
    done = then(interview)
    if isinstance(done, tuple):
        fresh = store.interview(interview.id) or interview
        return _page(request, store, fresh, grid, status=422, problems=[done], quote=quote)
    return _back(interview.id, done if edits or done != "saved" else "unchanged", data)


def _start_page(request: Request, grid: InterviewGrid, values: dict[str, str], errors: dict[str, str]) -> Response:
    tx = localiser(grid, request_language(request))
    view = {"id": grid.id, "title": tx(grid.title), "fields": grid.profile.fields,
            "categories": [{"code": c.code, "label": tx(c.label)} for c in grid.profile.categories],
            "sites": [{"code": s.code, "label": tx(s.label)} for s in grid.profile.sites]}
    values = {name: values.get(name, "") for name in ("category", "organisation", "role", "site", "name", "channel")}
    return render(request, "staff_interview_new.html", status=422 if errors else 200, grid=view, values=values,
                  errors=errors, channels=CHANNELS, limit=PROFILE_LIMIT)
