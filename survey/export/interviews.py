"""An interview grid's export, one zip: the analysis tables (Excel, CSV or JSON), a REFI-QDA project, LISEZMOI.txt.

Only a pseudonymised corpus comes in (`survey.interviews.pseudonymise`): the tables, the project and the read-me
are built from it, so no interviewee name and no listed name can reach the file. The zip is written beside its
destination and renamed when complete (`atomic_output`): a failed export leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from survey.export.errors import ExportError
from survey.export.files import atomic_output
from survey.export.formulas import neutralise, quoted
from survey.interviews.model import Corpus
from survey.interviews.qdpx import qdpx_files
from survey.interviews.tables import Table, export_tables

FORMATS = ("xlsx", "csv", "json", "qdpx")
README = "LISEZMOI.txt"


def qdpx_bytes(corpus: Corpus, created: dt.datetime) -> bytes:
    """The REFI-QDA project as one `.qdpx` file (a zip of project.qde and Sources/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as project:
        for name, content in qdpx_files(corpus, created, _project_description(corpus)).items():
            project.writestr(name, content)
    return buffer.getvalue()


def _project_description(corpus: Corpus) -> str:
    return (f"{corpus.title} — export PSEUDONYMISÉ (et non anonymisé) : les personnes interrogées sont nommées par "
            "catégorie et numéro, les noms et coordonnées remplacés par des balises.")


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One workbook, a sheet per table; texts are text cells, so nothing in them runs as a formula."""
    import xlsxwriter  # when Excel is asked for, not before (survey/export/formats.py)

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        used: set[str] = set()
        for table in tables:
            title = _unique(table.title, used)
            sheet = book.add_worksheet(title)
            sheet.write_row(0, 0, table.header, bold)
            sheet.freeze_panes(1, 1)
            sheet.set_column(0, 4, 16, wrap)  # who: pseudonym and profile
            sheet.set_column(5, max(len(table.header) - 1, 5), 48, wrap)  # what they said
            for number, row in enumerate(table.rows, start=1):
                for column, value in enumerate(row):
                    if isinstance(value, int):
                        sheet.write_number(number, column, value)
                    elif value:
                        sheet.write_string(number, column, value)
    return buffer.getvalue()


def _unique(title: str, used: set[str]) -> str:
    """A sheet name not used yet (Excel compares them without case)."""
    candidate, n = title, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def csv_bytes(table: Table) -> bytes:
    """A table as CSV for every tool: UTF-8 with BOM, `,`, CRLF, every text quoted and its formula triggers
    neutralised (`survey.export.formulas`), numbers bare."""
    lines = [",".join(quoted(neutralise(h)) for h in table.header)]
    for row in table.rows:
        lines.append(",".join(str(v) if isinstance(v, int) else quoted(neutralise(v)) for v in row))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def json_bytes(corpus: Corpus, tables: list[Table]) -> bytes:
    """The tables as JSON (a list of objects each), with each interview's pseudonymised texts and passages."""
    interviews = [{"pseudonyme": f"{corpus.category_label(i.category)} {i.number}", "categorie": i.category,
                   "site": i.site, "organisation": i.organisation, "role": i.role, "statut": i.status,
                   "textes": i.texts,
                   "passages": [{"emplacement": s.slot, "debut": s.start, "fin": s.end, "texte": s.text,
                                 "verbatim": s.is_quote, "codes": list(s.codes)} for s in i.segments]}
                  for i in corpus.interviews]
    document = {"grille": corpus.grid_id, "version": corpus.version, "pseudonymise": True,
                "tables": {t.name: [dict(zip(t.header, row, strict=True)) for row in t.rows] for t in tables},
                "entretiens": interviews}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def readme_text(corpus: Corpus, fmt: str, files: list[str], exported_at: dt.datetime) -> str:
    """What the zip holds and how it was protected, in French."""
    lines = [
        f"Entretiens : {corpus.title} ({corpus.grid_id}, version {corpus.version or '-'})",
        f"Export du {exported_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC — {len(corpus.interviews)} entretien(s).",
        "",
        "CET EXPORT EST PSEUDONYMISÉ, PAS ANONYMISÉ.",
        "Les personnes interrogées y sont nommées par catégorie et numéro (« Élu·e 1 », « Agent·e 3 ») et leur nom",
        "n'y figure pas. Dans tous les textes (notes, synthèses, transcriptions, organisation et fonction, codes), les",
        "noms des listes de la mission et ceux des personnes interrogées, les courriels, numéros de téléphone et",
        "adresses sont remplacés par des balises : [PERSONNE], [LIEU], [ORGANISATION], [COURRIEL], [TÉLÉPHONE],",
        "[ADRESSE], [URL]… Un nom absent des listes, un surnom ou un détail de contexte peut pourtant permettre de",
        "reconnaître quelqu'un : ces données restent personnelles (RGPD). Ne les diffusez pas ; conservez-les le",
        "temps de la mission.",
        "",
        "Fichiers :",
    ]
    described = {
        "xlsx": "classeur : Synthèse (la matrice), une feuille par thème, Citations par code, Profils, Codes, "
                "Fréquences des codes",
        "csv": "un tableau par fichier (UTF-8, séparateur virgule) : synthese, theme-*, citations, profils, codes, "
               "frequences",
        "json": "les mêmes tableaux, et pour chaque entretien ses textes et ses passages codés",
    }
    for name in files:
        if name.endswith(".qdpx"):
            lines.append(f"- {name} : projet REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder) — sources, codes et "
                         "passages codés (positions en caractères)")
        elif name != README:
            lines.append(f"- {name} : {described.get(fmt, '')}" if fmt != "csv" else f"- {name}")
    lines += ["", f"Fréquences : un nombre d'entretiens de 1 à {corpus.small_cells - 1} est affiché « < "
              f"{corpus.small_cells} », et d'autres cases sont masquées « × » pour qu'il ne puisse pas être recalculé "
              "(règle des petits effectifs de la mission).", ""]
    return "\n".join(lines)


def check_format(fmt: str) -> None:
    """Raise ExportError unless `fmt` is a format of interview exports."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt}: unknown format for an interview grid — use one of: {', '.join(FORMATS)}")


def write_interview_archive(corpus: Corpus, fmt: str, output: Path, exported_at: dt.datetime) -> Path:
    """Write the export's zip at `output`; raises ExportError for an unknown format or a corpus not
    pseudonymised, and leaves no file on any failure."""
    check_format(fmt)
    if not corpus.pseudonymised:
        raise ExportError("an interview export takes the pseudonymised corpus only")
    tables = export_tables(corpus)
    contents: dict[str, bytes] = {}
    stem = corpus.grid_id
    if fmt == "xlsx":
        contents[f"{stem}.xlsx"] = xlsx_bytes(tables)
    elif fmt == "csv":
        contents.update({f"{table.name}.csv": csv_bytes(table) for table in tables})
    elif fmt == "json":
        contents[f"{stem}.json"] = json_bytes(corpus, tables)
    contents[f"{stem}.qdpx"] = qdpx_bytes(corpus, exported_at)
    contents[README] = readme_text(corpus, fmt, [*contents, README], exported_at).encode("utf-8")
    with atomic_output(output) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return output
