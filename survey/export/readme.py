"""LISEZMOI.txt: what an export is, in French then in English, for whoever opens the zip months later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from survey.anonymise import RAW, RAW_WARNING

if TYPE_CHECKING:
    from survey.export.archive import About

_FORMAT_FR = {
    "csv": "CSV (UTF-8 avec BOM, séparateur virgule, point décimal)",
    "csv-fr": "CSV pour Excel en français (UTF-8 avec BOM, séparateur point-virgule, virgule décimale)",
    "xlsx": "Excel (.xlsx), une feuille par fichier",
    "parquet": "Parquet (colonnes typées ; libellés et codes dans les métadonnées de chaque colonne)",
    "sav": "SPSS (.sav) avec libellés de variables et de valeurs ; -7, -8, -9 déclarés valeurs manquantes",
    "dta": "Stata (.dta, version 15) avec libellés de variables et de valeurs",
    "json": "JSON (un tableau d'objets, un objet par ligne)",
}
_FORMAT_EN = {
    "csv": "CSV (UTF-8 with BOM, comma separator, decimal point)",
    "csv-fr": "CSV for a French Excel (UTF-8 with BOM, semicolon separator, decimal comma)",
    "xlsx": "Excel (.xlsx), one sheet per file",
    "parquet": "Parquet (typed columns; labels and codes in each column's metadata)",
    "sav": "SPSS (.sav) with variable and value labels; -7, -8, -9 declared user-missing",
    "dta": "Stata (.dta, version 15) with variable and value labels",
    "json": "JSON (an array of objects, one object per row)",
}


def _protection_fr(report: Mapping[str, Any]) -> list[str]:
    """What disclosure control did, in French, from the risk report."""
    params, records = report["parameters"], report["records"]
    coarser = [f"{column} ({level})" for column, level in report["levels"].items() if level != "value"]
    return [
        f"  - contrôle de la divulgation (profil « {params['profile']} ») : k = {params['k']}, ℓ = {params['l']}, "
        f"au plus {params['suppression_percent']:g} % de lignes supprimées ; {records['suppressed']} réponse(s) "
        f"supprimée(s) sur {records['in']} ;",
        "  - quasi-identifiants généralisés : " + (", ".join(coarser) if coarser else "aucun") + " ;",
        f"  - classement : {'anonymisé' if report['classification'] == 'anonymised' else 'pseudonymisé'} — le détail "
        "(niveaux, risques, critères du G29) est dans rapport-anonymisation.json ;",
    ]


def raw_readme_text(about: About, fmt: str, rows: int, repeat_rows: Mapping[str, int], files: list[str],
                    report: Mapping[str, Any]) -> str:
    """The read-me of a raw export: what it holds, who asked for it and why, and that it is personal data."""
    when = about.exported_at.strftime("%Y-%m-%d %H:%M UTC")
    main, *groups = files
    versions = ", ".join(f"{label} ({n})" for label, n in about.versions.items()) or "-"
    lines = [
        f"EXPORT BRUT : {RAW_WARNING['fr'].upper()}",
        f"RAW EXPORT: {RAW_WARNING['en'].upper()}",
        "",
        f"{about.title}",
        f"Questionnaire : {about.questionnaire_id}",
        f"Date de l'export : {when}",
        f"Demandé par : {report.get('requested_by', '')}",
        f"Justification : {report.get('reason', '')}",
        f"Format : {_FORMAT_FR[fmt]}",
        f"Versions (réponses) : {versions}",
        f"Réponses : {rows}",
        "",
        "Fichiers :",
        f"  {main} — une ligne par réponse, une colonne par question, identifiants et textes libres compris, tels "
        "que saisis",
        *(f"  {name} — une ligne par élément du groupe répété « {group} » ({repeat_rows[group]} ligne(s)), "
          "reliée à sa réponse par response_id" for name, group in zip(groups, repeat_rows, strict=True)),
        "  codebook.csv — le dictionnaire des variables",
        "  rapport-anonymisation.json — dit que ces données sont brutes, qui les a demandées et pourquoi",
        "",
        "Rien n'a été transformé : aucun identifiant ni texte libre retiré ou nettoyé, aucune généralisation ni "
        "suppression de lignes, lignes dans l'ordre d'enregistrement.",
        "response_id est l'identifiant de la réponse enregistrée : le même d'un export à l'autre et dans les pages "
        "« Réponses » du questionnaire. submitted_at est la date et l'heure d'envoi (UTC).",
        "Codes spéciaux : -7 non concerné, -8 ne sait pas, -9 préfère ne pas répondre ; une cellule vide est une "
        "question laissée sans réponse. CSV : une cellule qu'un tableur exécuterait comme formule reçoit une "
        "apostrophe devant.",
        "Ce fichier est une donnée personnelle (RGPD) : ne le transmettez qu'aux personnes qui en ont besoin pour la "
        "finalité indiquée, conservez-le en lieu sûr et supprimez-le dès qu'il n'est plus utile. Cet export est "
        "inscrit au journal d'audit.",
        "",
        "---",
        f"Raw export of {about.questionnaire_id} ({about.title}), {when}, requested by "
        f"{report.get('requested_by', '')}, reason: {report.get('reason', '')}.",
        "Nothing was removed or transformed: identifiers and free text as typed, no generalisation or suppression. "
        "response_id is the stored response's id (stable across exports); submitted_at is in UTC.",
        "This file is personal data: share it only for the stated purpose, keep it safe, delete it when done. "
        "This export is in the audit log.",
        "",
    ]
    return "\r\n".join(lines)


def readme_text(about: About, fmt: str, rows: int, repeat_rows: Mapping[str, int], files: list[str],
                report: Mapping[str, Any] | None = None) -> str:
    """The read-me of one export (of a raw one: `raw_readme_text`)."""
    if report is not None and report.get("classification") == RAW:
        return raw_readme_text(about, fmt, rows, repeat_rows, files, report)
    versions_fr = ", ".join(f"{label} ({n} réponse(s))" for label, n in about.versions.items()) or "aucune"
    versions_en = ", ".join(f"{label} ({n} response(s))" for label, n in about.versions.items()) or "none"
    when = about.exported_at.strftime("%Y-%m-%d %H:%M UTC")
    main, *groups = files
    pseudonymised = report is not None and report["classification"] == "pseudonymised"
    lines = [
        f"Export {'pseudonymisé' if pseudonymised else 'anonymisé'} — {about.title}",
        f"Questionnaire : {about.questionnaire_id}",
        f"Date de l'export : {when}",
        f"Format : {_FORMAT_FR[fmt]}",
        f"Versions : {versions_fr}",
        f"Réponses : {rows}",
        "",
        "Fichiers :",
        f"  {main} — une ligne par réponse complète, une colonne par question (ou par option, ligne de matrice)",
        *(f"  {name} — une ligne par élément du groupe répété « {group} » ({repeat_rows[group]} ligne(s)), "
          "reliée à sa réponse par export_id" for name, group in zip(groups, repeat_rows, strict=True)),
        "  codebook.csv — le dictionnaire des variables : chaque colonne, sa question, chaque code et son libellé",
        *(["  rapport-anonymisation.json — le rapport de risque : paramètres, niveau retenu pour chaque "
           "quasi-identifiant, risque de réidentification avant et après, classement anonymisé ou pseudonymisé"]
          if report else []),
        "",
        "Ce qui a été transformé pour anonymiser :",
        *(_protection_fr(report) if report else []),
        "  - export_id est tiré au hasard pour cet export : il ne relie à aucune réponse stockée ni à un autre export"
        " (il relie seulement les fichiers de ce zip entre eux) ;",
        "  - la date de soumission est gardée au jour près, sans l'heure ; les lignes sont mélangées ;",
        "  - " + ("les textes libres, courriels et téléphones sont INCLUS, à la demande : relisez-les avant de "
                  "diffuser ;" if about.include_free_text else
                  "les textes libres, courriels, téléphones (et les calculs qui les reprennent) sont retirés ;")
        if not report else "  - " + ("les textes libres sont INCLUS à la demande, nettoyés (courriels, téléphones, "
                                      "adresses, IBAN, NIR, URL, noms de la mission remplacés par [COURRIEL]…) : "
                                      "l'export est PSEUDONYMISÉ, relisez-les avant de diffuser ;"
                                      if about.include_free_text else
                                      "les identifiants (courriels, téléphones…) et les textes libres sont retirés ;"),
        "  - " + (f"les codes sont remplacés par leurs libellés ({about.labels}) ;" if about.labels else
                  "les réponses sont codées : codes des choix, points d'échelle (1 = premier libellé), 1/0 pour "
                  "oui/non et pour chaque option d'un choix multiple ;"),
        "  - codes spéciaux : -7 non concerné (question non posée), -8 ne sait pas, -9 préfère ne pas répondre ;"
        " une cellule vide est une question laissée sans réponse ;",
        "  - CSV : chaque cellule de texte est entre guillemets ; un = + - @ (ou ＝ ＋ － ＠) en début de cellule ou"
        " après , ; tabulation ou retour à la ligne reçoit une apostrophe devant, pour qu'aucun tableur ne l'exécute"
        " comme formule, quel que soit le séparateur choisi.",
    ]
    if fmt in ("sav", "dta"):
        lines.append("  - SPSS/Stata : une colonne de codes textuels est écrite en nombres (colonne value_in_file du"
                     " codebook) ; les dates et heures sont du texte ISO (AAAA-MM-JJ, HH:MM).")
    if fmt == "dta":
        lines.append("  - Stata : les noms de plus de 31 caractères sont raccourcis (colonne name_in_file du"
                     " codebook).")
    lines += [
        "",
        "---",
        f"{'Pseudonymised' if pseudonymised else 'Anonymised'} export — {about.title} ({about.questionnaire_id}), "
        f"exported {when}.",
        f"Format: {_FORMAT_EN[fmt]}. Versions: {versions_en}. Responses: {rows}.",
        f"{main}: one row per response; " + "".join(f"{name}: one row per item, linked by export_id; "
                                                    for name in groups) + "codebook.csv: every column and code.",
        "export_id is drawn afresh for this export; submission dates are kept to the day; rows are shuffled; "
        + ("free text is INCLUDED on request: review it before sharing; " if about.include_free_text else
           "free text, e-mails and phone numbers are left out; ")
        + "-7 not asked, -8 don't know, -9 prefer not to say; an empty cell is a question left blank.",
        *([f"Disclosure control: k = {report['parameters']['k']}, l = {report['parameters']['l']}, "
           f"{report['records']['suppressed']} of {report['records']['in']} responses suppressed; "
           f"classified {report['classification']}; see rapport-anonymisation.json."] if report else []),
        "",
    ]
    return "\r\n".join(lines)
