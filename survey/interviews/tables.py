"""The export's tables: summary matrix, a table per theme, quotes per code, profiles, codebook, frequencies.  PURE.

Each table is a header and rows of text or numbers, built from a pseudonymised corpus; the writers
(`survey.export.interviews`) turn the same tables into an Excel workbook (a sheet each), CSV files or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.interviews.frequencies import code_frequencies
from survey.interviews.matrix import FrameworkMatrix, framework_matrix
from survey.interviews.model import Corpus
from survey.interviews.quotes import Quote, all_codes, ordered, quotes, quotes_by_code

Cell = str | int


@dataclass(frozen=True)
class Table:
    """One table of the export: its file stem, its sheet title (≤ 31 characters), header and rows."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


PROFILE = ("pseudonyme", "categorie", "site", "organisation", "role")
VERBATIM = {True: "oui", False: "non"}


def _quote_line(q: Quote, corpus: Corpus) -> str:
    """A passage on one line of a cell: « text » [codes]."""
    labels = ", ".join((corpus.code_info(c).label if corpus.code_info(c) else c) for c in q.codes)
    quoted = q.is_quote and not q.text.lstrip().startswith(("«", '"', "“"))  # a quote typed with its marks keeps them
    text = f"« {q.text} »" if quoted else q.text
    return f"{text} [{labels}]" if labels else text


def summary_table(corpus: Corpus, matrix: FrameworkMatrix) -> Table:
    """The framework matrix at a glance: an interview per row, each theme's summary per column."""
    header = (*PROFILE, "statut", *(t.title for t in matrix.themes))
    rows = tuple((r.pseudonym, r.category_label, r.site, r.organisation, r.role, r.status,
                  *(cell.summary for cell in r.cells)) for r in matrix.rows)
    return Table("synthese", "Synthèse", header, rows)


def theme_tables(corpus: Corpus, matrix: FrameworkMatrix) -> list[Table]:
    """A table per theme: an interview per row, its notes per question, its summary and its coded passages."""
    tables = []
    by_id = {i.id: i for i in corpus.interviews}
    for index, theme in enumerate(matrix.themes):
        header = (*PROFILE, *(text for _, text in theme.questions), "synthese", "passages codes")
        rows = []
        for row in matrix.rows:
            texts = by_id[row.interview_id].texts
            cell = row.cells[index]
            rows.append((row.pseudonym, row.category_label, row.site, row.organisation, row.role,
                         *(texts.get(f"note:{q}", "") for q, _ in theme.questions), cell.summary,
                         "\n".join(_quote_line(q, corpus) for q in cell.quotes)))
        tables.append(Table(f"theme-{theme.id}", _sheet_title(f"{index + 1}. {theme.title}"), header, tuple(rows)))
    return tables


def quotes_table(corpus: Corpus) -> Table:
    """Every coded passage, code by code (a passage with two codes appears under each)."""
    header = ("code", "libelle_code", *PROFILE, "theme", "verbatim", "passage")
    themes = {t.id: t.title for t in corpus.themes}
    rows = tuple((entry.code.code, entry.code.label, q.pseudonym, q.category_label, q.site, q.organisation, q.role,
                  themes.get(q.theme_id, ""), VERBATIM[q.is_quote], q.text)
                 for entry in quotes_by_code(corpus) for q in entry.quotes)
    # Verbatim quotes not coded yet come last, under no code.
    uncoded = tuple(("", "", q.pseudonym, q.category_label, q.site, q.organisation, q.role, themes.get(q.theme_id, ""),
                     VERBATIM[q.is_quote], q.text) for q in quotes(corpus) if not q.codes)
    return Table("citations", "Citations par code", header, rows + uncoded)


def profiles_table(corpus: Corpus) -> Table:
    """An interviewee per row, pseudonymised: no name, organisation and role scrubbed like every text."""
    rows = tuple((f"{corpus.category_label(i.category)} {i.number}", corpus.category_label(i.category), i.site,
                  i.organisation, i.role, i.channel, i.status, sum(1 for s in i.segments if s.codes))
                 for i in ordered(corpus))
    return Table("profils", "Profils", (*PROFILE, "canal", "statut", "passages_codes"), rows)


def codebook_table(corpus: Corpus) -> Table:
    """The codebook as recoded: a code per row, its parent and level."""
    rows = tuple((c.code, c.parent or "", corpus.depth(c.code), c.label, c.definition, c.example)
                 for c in all_codes(corpus))
    return Table("codes", "Codes", ("code", "parent", "niveau", "libelle", "definition", "exemple"), rows)


def frequencies_table(corpus: Corpus) -> Table:
    """Interviews and passages per code and category, as published under the small-cell rule (texts: « < 11 »)."""
    table = code_frequencies(corpus)
    columns = [c.code for c in table.categories] + ["total"]
    header = ("code", "libelle", *(f"entretiens_{c}" for c in columns), *(f"passages_{c}" for c in columns))
    base = ("", "(entretiens)", *(b.text for b in table.bases), *("" for _ in columns))
    rows = tuple((r.code, r.label, *(n.text for n in r.interviews), *(n.text for n in r.passages)) for r in table.rows)
    return Table("frequences", "Fréquences des codes", header, (base, *rows))


def export_tables(corpus: Corpus) -> list[Table]:
    """Every table of the export, in the order of the workbook's sheets."""
    matrix = framework_matrix(corpus)
    return [summary_table(corpus, matrix), *theme_tables(corpus, matrix), quotes_table(corpus),
            profiles_table(corpus), codebook_table(corpus), frequencies_table(corpus)]


_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(title: str) -> str:
    """A title Excel accepts as a sheet name: no []:*?/\\, at most 31 characters."""
    clean = " ".join(title.translate(_SHEET_FORBIDDEN).split()).strip("'")
    return clean if len(clean) <= 31 else clean[:30] + "…"
