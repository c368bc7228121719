"""Interface text of the interview analysis pages (/staff/grids), in French and English; merged into
`survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

ANALYSIS_MESSAGES: dict[str, dict[str, str]] = {
    "grids_link": {"fr": "Analyse des entretiens", "en": "Interview analysis"},
    "grids_title": {"fr": "Analyse des entretiens", "en": "Interview analysis"},
    "grids_intro": {
        "fr": "Les grilles d’entretien de vos missions : la matrice thématique, les citations par code, les "
              "fréquences des codes par catégorie et l’export pour NVivo, ATLAS.ti, MAXQDA ou QualCoder.",
        "en": "The interview grids of your missions: the framework matrix, quotes per code, code frequencies by "
              "category and the export for NVivo, ATLAS.ti, MAXQDA or QualCoder.",
    },
    "grids_none": {"fr": "Aucune grille d’entretien pour vos missions.", "en": "No interview grid for your missions."},
    "grid_interviews_count": {"fr": "{count} entretien(s)", "en": "{count} interview(s)"},
    "grid_tab_matrix": {"fr": "Matrice", "en": "Matrix"},
    "grid_tab_quotes": {"fr": "Citations par code", "en": "Quotes per code"},
    "grid_tab_frequencies": {"fr": "Fréquences", "en": "Frequencies"},
    "grid_tab_codes": {"fr": "Codes", "en": "Codes"},
    "grid_tab_export": {"fr": "Export", "en": "Export"},
    "grid_sections": {"fr": "Vues de l’analyse", "en": "Analysis views"},
    "grid_pseudonymised": {
        "fr": "Textes pseudonymisés : les personnes sont nommées par catégorie et numéro, les noms des listes de "
              "la mission, courriels, téléphones et adresses remplacés par des balises ([PERSONNE], [LIEU]…).",
        "en": "Pseudonymised texts: people are named by category and number; the mission's listed names, e-mails, "
              "phone numbers and addresses are replaced by tags ([PERSONNE], [LIEU]…).",
    },
    "grid_as_typed": {
        "fr": "Textes tels que saisis (vous menez des entretiens) : les consultants et les exports n’en voient que "
              "la forme pseudonymisée.",
        "en": "Texts as typed (you conduct interviews): consultants and exports only get the pseudonymised form.",
    },
    "grid_filter_category": {"fr": "Catégorie", "en": "Category"},
    "grid_filter_site": {"fr": "Site", "en": "Site"},
    "grid_filter_code": {"fr": "Code", "en": "Code"},
    "grid_filter_all": {"fr": "Toutes", "en": "All"},
    "grid_filter_all_sites": {"fr": "Tous", "en": "All"},
    "grid_filter_synthetic": {"fr": "Inclure les entretiens synthétiques (démonstration)",
                              "en": "Include synthetic interviews (demonstration)"},
    "grid_filter_apply": {"fr": "Filtrer", "en": "Filter"},
    "grid_filters": {"fr": "Filtres", "en": "Filters"},
    "grid_no_interview": {"fr": "Aucun entretien ne correspond à ces filtres.",
                          "en": "No interview matches these filters."},
    "grid_matrix_caption": {"fr": "Matrice thématique : {count} entretien(s) en lignes, les thèmes en colonnes",
                            "en": "Framework matrix: {count} interview(s) as rows, themes as columns"},
    "grid_col_interview": {"fr": "Entretien", "en": "Interview"},
    "grid_summary": {"fr": "Synthèse", "en": "Summary"},
    "grid_no_summary": {"fr": "(pas de synthèse)", "en": "(no summary)"},
    "grid_verbatim": {"fr": "verbatim", "en": "verbatim"},
    "grid_detached": {"fr": "passage qui n’est plus dans le texte", "en": "passage no longer in the text"},
    "grid_quotes_none": {"fr": "Aucun passage codé.", "en": "No coded passage."},
    "grid_quotes_count": {"fr": "{count} passage(s)", "en": "{count} passage(s)"},
    "grid_frequencies_caption": {
        "fr": "Entretiens où le code apparaît (et nombre de passages), par catégorie",
        "en": "Interviews where the code appears (and number of passages), by category",
    },
    "grid_frequencies_rule": {
        "fr": "Règle des petits effectifs : un nombre d’entretiens de 1 à {below} est affiché « < {threshold} », "
              "et d’autres cases sont masquées « × » pour qu’il ne puisse pas être recalculé.",
        "en": "Small-cell rule: a number of interviews from 1 to {below} is shown as “< {threshold}”, and other "
              "cells are hidden “×” so that it cannot be worked out.",
    },
    "grid_col_code": {"fr": "Code", "en": "Code"},
    "grid_col_total": {"fr": "Ensemble", "en": "All"},
    "grid_row_interviews": {"fr": "Entretiens", "en": "Interviews"},
    "grid_passages_short": {"fr": "passages", "en": "passages"},
    "grid_chart_label": {"fr": "Part des entretiens où chaque code apparaît",
                         "en": "Share of interviews where each code appears"},
    "grid_codes_intro": {
        "fr": "Le livre de codes tel qu’il est aujourd’hui. Renommer, fusionner ou scinder un code modifie tous les "
              "passages qui le portent ; chaque recodage est inscrit au journal d’audit.",
        "en": "The codebook as it stands. Renaming, merging or splitting a code changes every passage that carries "
              "it; each recoding is recorded in the audit log.",
    },
    "grid_codes_readonly": {"fr": "Seuls les évaluateurs peuvent recoder.", "en": "Only evaluators can recode."},
    "grid_col_label": {"fr": "Libellé", "en": "Label"},
    "grid_col_definition": {"fr": "Définition", "en": "Definition"},
    "grid_col_passages": {"fr": "Passages", "en": "Passages"},
    "grid_rename_title": {"fr": "Renommer un code", "en": "Rename a code"},
    "grid_merge_title": {"fr": "Fusionner deux codes", "en": "Merge two codes"},
    "grid_split_title": {"fr": "Scinder un code", "en": "Split a code"},
    "grid_field_code": {"fr": "Code", "en": "Code"},
    "grid_field_new_code": {"fr": "Nouveau code (minuscules, chiffres, « . », « _ », « - »)",
                            "en": "New code (lower case, digits, “.”, “_”, “-”)"},
    "grid_field_new_label": {"fr": "Nouveau libellé", "en": "New label"},
    "grid_field_merge_from": {"fr": "Code à fusionner (il disparaît)", "en": "Code to merge (it goes away)"},
    "grid_field_merge_into": {"fr": "Dans le code", "en": "Into the code"},
    "grid_field_split_code": {"fr": "Code à scinder", "en": "Code to split"},
    "grid_split_choose": {"fr": "Choisir ses passages", "en": "Choose its passages"},
    "grid_split_new": {"fr": "Nouveau code {n}", "en": "New code {n}"},
    "grid_split_passages": {"fr": "Où va chaque passage ?", "en": "Where does each passage go?"},
    "grid_split_stay": {"fr": "Reste sur {code}", "en": "Stays on {code}"},
    "grid_split_to": {"fr": "Nouveau code {n}", "en": "New code {n}"},
    "grid_rename": {"fr": "Renommer", "en": "Rename"},
    "grid_merge": {"fr": "Fusionner", "en": "Merge"},
    "grid_split": {"fr": "Scinder", "en": "Split"},
    "grid_recoded": {"fr": "Recodage enregistré.", "en": "Recoding saved."},
    "grid_recode_error": {"fr": "Recodage impossible : {detail}", "en": "Recoding refused: {detail}"},
    "grid_unknown_code": {"fr": "choisissez un code de la liste", "en": "choose a code from the list"},
    "grid_export_title": {"fr": "Exporter les entretiens", "en": "Export the interviews"},
    "grid_export_intro": {
        "fr": "Un zip pseudonymisé (et non anonymisé) : la matrice (une feuille de synthèse puis une par thème), les "
              "citations par code, les profils, le livre de codes, les fréquences, un projet REFI-QDA (.qdpx) pour "
              "NVivo, ATLAS.ti, MAXQDA ou QualCoder et un LISEZMOI.txt.",
        "en": "A pseudonymised (not anonymised) zip: the matrix (a summary sheet, then one per theme), quotes per "
              "code, profiles, the codebook, frequencies, a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or "
              "QualCoder, and a LISEZMOI.txt.",
    },
    "grid_export_format": {"fr": "Format des tableaux", "en": "Table format"},
    "grid_export_xlsx": {"fr": "Excel (.xlsx)", "en": "Excel (.xlsx)"},
    "grid_export_csv": {"fr": "CSV (un fichier par tableau)", "en": "CSV (one file per table)"},
    "grid_export_json": {"fr": "JSON", "en": "JSON"},
    "grid_export_qdpx": {"fr": "Projet REFI-QDA seul (.qdpx)", "en": "REFI-QDA project only (.qdpx)"},
    "grid_export_button": {"fr": "Télécharger le zip", "en": "Download the zip"},
    "grid_export_bad_format": {"fr": "Format inconnu : choisissez {formats}.",
                               "en": "Unknown format: choose {formats}."},
}
