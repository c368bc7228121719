"""Interview autosave at the store: the time of a note save, and of a transcript save that re-anchors coded passages.

    .venv/bin/python bench/interview_save_bench.py [--url sqlite:///bench-interviews.db] [--saves 300]

A report, not a test: it prints figures and exits 0. On a shared machine they move with the other load.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from survey.anchoring import reanchor_all
from survey.schema import InterviewGrid, load_document
from survey.store import Store

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench-interviews.db"
    store = Store.from_url(url)
    store.migrate()
    grid = load_document(ROOT / "questionnaires" / "entretiens-elus-cadres.yaml")
    assert isinstance(grid, InterviewGrid)
    store.load_grid(grid)
    interview = store.start_interview(grid.id, category="elu")
    text, revision, began = "", 0, time.perf_counter()
    for n in range(args.saves):  # a note growing as it is typed, saved after each few words
        text += f" mot{n} et encore quelques mots"
        revision = store.save_text(interview.id, "note:enjeux_pourquoi", text, base_revision=revision,
                                   save_id=uuid.uuid4().hex).revision
    per_save = (time.perf_counter() - began) / args.saves
    body = ("Élu : on a voulu renouer le lien avec les habitants. " * 3000)[:150_000]
    store.save_text(interview.id, "transcript", body, base_revision=0, save_id=uuid.uuid4().hex)
    for k in range(200):
        store.add_segment(interview.id, "transcript", k * 700, k * 700 + 40)
    began = time.perf_counter()
    store.save_text(interview.id, "transcript", "Début. " + body, base_revision=1, save_id=uuid.uuid4().hex)
    transcript_save = time.perf_counter() - began
    spans = [((k * 700, k * 700 + 40), body[k * 700:k * 700 + 40]) for k in range(200)]
    began = time.perf_counter()
    reanchor_all(body, "Début. " + body, spans)
    pure = time.perf_counter() - began
    print(f"{store.engine.dialect.name}: note save {per_save * 1000:.1f} ms ({args.saves} saves); "
          f"150,000-character transcript with 200 coded passages: save {transcript_save * 1000:.0f} ms, "
          f"of which re-anchoring {pure * 1000:.1f} ms")
    store.engine.dispose()


if __name__ == "__main__":
    main()
