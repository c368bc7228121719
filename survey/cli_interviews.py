"""The `survey` commands about interview grids: `import-interview` (a transcript as an interview's source text) and
the grid side of `load` and `seed` (which dispatch here when the id is a grid's), registered by `register`."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from survey.cli_common import _fail, _store

SEED_MAX = 10_000  # synthetic interviews per `survey seed`: a demo has tens


def grid_load_status(store: Any, grid: Any, source: str) -> str:
    """Store a grid file; the line `survey load` prints for it."""
    status = store.load_grid(grid, source=source)
    if status == "versioned":
        current = store.grid(grid.id)
        label = current.grid.version if current else grid.version
        return f"new version {label} of the grid (version {grid.version} is followed by interviews, which keep it)"
    return f"{status} (interview grid)"


def pseudonym(grid: Any, category: str, number: int) -> str:
    """"Élu·e 3": the category's pseudonym word (or label) in the grid's language, and the interview's number."""
    from survey.schema.localise import text_in

    found = grid.profile.category(category)
    word = (found.pseudonym or found.label) if found else category
    return f"{text_in(word, grid.language, grid.language)} {number}"


def import_interview(
        grid_id: Annotated[str, typer.Argument(metavar="GRID", help="The interview grid's id.")],
        transcript: Annotated[Path, typer.Argument(help="The transcript: .txt, .docx or .odt.")],
        interviewee: Annotated[str, typer.Option("--interviewee", help="The interviewee's name (kept for staff, "
                                                 "never exported).")],
        category: Annotated[str, typer.Option("--category", help="A category code of the grid, e.g. elu.")],
        site: Annotated[str, typer.Option("--site", help="A site code of the grid.")] = "",
        organisation: Annotated[str, typer.Option("--organisation", help="The interviewee's organisation.")] = "",
        role: Annotated[str, typer.Option("--role", help="The interviewee's role.")] = "",
        channel: Annotated[str, typer.Option("--channel", help="face_to_face, telephone or video.")]
        = "face_to_face",
) -> None:
    """Store a transcript as a new, complete interview of GRID (slot `transcript`), to be coded like typed notes."""
    from survey.store_interviews import InterviewError
    from survey.transcripts import TranscriptUnreadable, read_transcript_file

    try:
        text = read_transcript_file(transcript)  # a broken file stops here, before the database is touched
    except TranscriptUnreadable as exc:
        raise _fail(str(exc)) from None
    store = _store()
    loaded = store.grid(grid_id)
    if loaded is None:
        raise _fail(f"no interview grid '{grid_id}' — load it with `survey load FILE.yaml`")
    try:
        interview = store.start_interview(grid_id, category=category, interviewee_name=interviewee.strip(),
                                          organisation=organisation, role=role, site=site, channel=channel)
    except InterviewError as exc:
        option = next((o for o in ("category", "site", "channel") if f"{o} `" in str(exc)), "")
        raise _fail(f"--{option} {exc}" if option else str(exc)) from None
    store.save_text(interview.id, "transcript", text, base_revision=0, save_id=f"import-{secrets.token_hex(12)}")
    store.complete_interview(interview.id)
    typer.echo(f"interview {interview.id} ({pseudonym(loaded.grid, category, interview.number)}) of {grid_id}: "
               f"transcript of {len(text):,} characters stored from {transcript.name}")


def seed_grid(store: Any, grid_id: str, count: int, seed: int | None) -> None:
    """`survey seed GRID -n N`: N synthetic interviews, marked so, with notes, summaries and coded passages."""
    from survey.synthetic_interviews import synthetic_interviews

    if count > SEED_MAX:
        raise _fail(f"-n {count}: at most {SEED_MAX:,} synthetic interviews at a time")
    loaded = store.grid(grid_id)
    codes = {code.code: code.id for code in store.codes(grid_id)}
    passages = 0
    for made in synthetic_interviews(loaded.grid, count, seed):
        interview = store.start_interview(grid_id, category=made.category, interviewee_name=made.interviewee_name,
                                          organisation=made.organisation, role=made.role, site=made.site,
                                          channel=made.channel, consent=made.consent, synthetic=True)
        for slot, body in made.texts.items():
            store.save_text(interview.id, slot, body, base_revision=0, save_id=f"seed-{secrets.token_hex(12)}")
        for passage in made.passages:
            code_ids = [codes[passage.code]] if passage.code in codes else []
            store.add_segment(interview.id, passage.slot, passage.start, passage.end, is_quote=passage.is_quote,
                              code_ids=code_ids)
            passages += 1
        store.complete_interview(interview.id)
    typer.echo(f"{count} synthetic interview(s) stored for the grid {grid_id} with {passages} coded passage(s); "
               "marked synthetic, left out of analyses and exports")


def register(app: typer.Typer) -> None:
    """Add `import-interview` to the `survey` command."""
    app.command("import-interview")(import_interview)
