"""Interface text about disclosure control: small cells, export protection and its risk report, the audit log.
Part of the catalogue in `survey.messages`.  PURE."""

from __future__ import annotations

DISCLOSURE_MESSAGES: dict[str, dict[str, str]] = {
    "audit_link": {"fr": "Journal d’audit", "en": "Audit log"},
    "audit_title": {"fr": "Journal d’audit", "en": "Audit log"},
    "audit_intro": {
        "fr": "Chaque téléchargement d’un export ou d’une synthèse, et chaque export brut (identifiants conservés) "
              "avec sa justification : qui, quand, quel questionnaire, quel profil.",
        "en": "Every download of an export or a summary, and every raw export (identifiers kept) with its reason: "
              "who, when, which questionnaire, which profile.",
    },
    "audit_questionnaire": {"fr": "Questionnaire", "en": "Questionnaire"},
    "audit_since": {"fr": "Depuis le", "en": "Since"},
    "audit_filter": {"fr": "Filtrer", "en": "Filter"},
    "audit_none": {"fr": "Aucun évènement.", "en": "No event."},
    "audit_caption": {"fr": "{count} évènements, les plus récents d’abord (au plus {limit})",
                      "en": "{count} events, newest first (at most {limit})"},
    "audit_when": {"fr": "Quand", "en": "When"},
    "audit_who": {"fr": "Qui", "en": "Who"},
    "audit_action": {"fr": "Action", "en": "Action"},
    "audit_profile": {"fr": "Profil", "en": "Profile"},
    "audit_reason": {"fr": "Justification", "en": "Reason"},
    "raw_export": {"fr": "Export brut (administrateurs)", "en": "Raw export (admins)"},
    "raw_export_box": {"fr": "Export brut (identifiants conservés)", "en": "Raw export (identifiers kept)"},
    "raw_export_hint": {
        "fr": "Données brutes, non anonymisées : identifiants et textes libres tels que saisis, aucune protection. "
              "La justification est obligatoire ; la demande et chaque téléchargement sont inscrits au journal "
              "d’audit.",
        "en": "Raw data, not anonymised: identifiers and free text as typed, no protection. A reason is required; "
              "the request and every download go into the audit log.",
    },
    "raw_export_reason": {"fr": "Justification", "en": "Reason"},
    "raw_export_job": {
        "fr": "Export brut — données non anonymisées, contient des données personnelles. Justification : {reason}",
        "en": "Raw export — not anonymised, contains personal data. Reason: {reason}",
    },
    "codebook_response_id": {
        "fr": "Identifiant de la réponse enregistrée (export brut) : le même à chaque export et dans les pages des "
              "réponses.",
        "en": "Identifier of the stored response (raw export): the same in every export and on the responses pages.",
    },
    "codebook_submitted_at": {"fr": "Date et heure d’envoi des réponses (UTC, AAAA-MM-JJTHH:MM:SSZ).",
                              "en": "Date and time the answers were sent (UTC, YYYY-MM-DDTHH:MM:SSZ)."},
    "codebook_parent_response_id": {
        "fr": "Identifiant de la réponse enregistrée (colonne response_id du fichier principal) de cet élément.",
        "en": "Identifier of the stored response (response_id in the main file) this item belongs to.",
    },
    "small_cells_note": {
        "fr": "« < {threshold} » : moins de {threshold} personnes ; « × » : masqué pour qu’un petit effectif ne "
              "puisse pas se déduire des totaux. Les pourcentages de ces lignes ne sont pas publiés.",
        "en": "“< {threshold}”: fewer than {threshold} people; “×”: hidden so that a small count cannot be worked "
              "out from the totals. The percentages of these rows are not published.",
    },
    "export_protection": {"fr": "Protection contre la réidentification", "en": "Protection against re-identification"},
    "export_protection_hint": {
        "fr": "Par défaut : chaque combinaison de quasi-identifiants partagée par au moins k = 5 réponses, au plus "
              "5 % de réponses supprimées, au moins ℓ = 2 valeurs de chaque colonne sensible par groupe. Laissez vide "
              "pour garder le profil.",
        "en": "By default: every combination of quasi-identifiers shared by at least k = 5 responses, at most 5 % of "
              "the responses suppressed, at least ℓ = 2 values of each sensitive column per group. Leave empty to "
              "keep the profile.",
    },
    "export_profile": {"fr": "Profil d’export", "en": "Export profile"},
    "export_profile_default": {"fr": "Par défaut", "en": "Default"},
    "export_suppression": {"fr": "Suppression au plus (%)", "en": "Suppression at most (%)"},
    "risk_report": {"fr": "Rapport d’anonymisation", "en": "Anonymisation report"},
    "risk_anonymised": {"fr": "Anonymisé", "en": "Anonymised"},
    "risk_anonymised_note": {"fr": "aucun des trois critères du G29 ne laisse de risque.",
                             "en": "none of the G29's three criteria leaves a risk."},
    "risk_pseudonymised": {"fr": "Pseudonymisé", "en": "Pseudonymised"},
    "risk_pseudonymised_note": {
        "fr": "ce fichier reste une donnée personnelle : ne le diffusez pas hors de la mission.",
        "en": "this file is still personal data: do not share it beyond the mission."},
    "risk_profile": {"fr": "Profil", "en": "Profile"},
    "risk_suppression_allowed": {"fr": "au plus {percent} % supprimées", "en": "at most {percent} % suppressed"},
    "risk_records": {"fr": "Réponses", "en": "Responses"},
    "risk_records_text": {"fr": "{records_in} reçues, {records_out} exportées, {suppressed} supprimées",
                          "en": "{records_in} in, {records_out} exported, {suppressed} suppressed"},
    "risk_achieved": {"fr": "Atteint", "en": "Achieved"},
    "risk_classes": {"fr": "Classes d’équivalence", "en": "Equivalence classes"},
    "risk_classes_text": {"fr": "{count}, de {size} réponses en moyenne",
                          "en": "{count}, of {size} responses on average"},
    "risk_loss": {"fr": "Perte d’information (NCP)", "en": "Information loss (NCP)"},
    "risk_levels": {"fr": "Niveau retenu pour chaque quasi-identifiant", "en": "Level kept for each quasi-identifier"},
    "risk_column": {"fr": "Colonne", "en": "Column"},
    "risk_level": {"fr": "Niveau", "en": "Level"},
    # The levels of generalisation as the report names them (`survey.disclosure.hierarchy`); a choice attribute (a
    # CSV column such as `commune`) is shown by its own name.
    "risk_level_value": {"fr": "valeur exacte", "en": "exact value"},
    "risk_level_suppressed": {"fr": "supprimé (*)", "en": "suppressed (*)"},
    "risk_level_groups": {"fr": "regroupé", "en": "grouped"},
    "risk_level_bands": {"fr": "tranches {detail}", "en": "bands {detail}"},
    "risk_level_month": {"fr": "mois", "en": "month"},
    "risk_level_quarter": {"fr": "trimestre", "en": "quarter"},
    "risk_level_year": {"fr": "année", "en": "year"},
    "risk_level_hour": {"fr": "heure", "en": "hour"},
    "risk_reidentification": {"fr": "Risque de réidentification (seuil : {threshold} %)",
                              "en": "Re-identification risk (threshold: {threshold} %)"},
    "risk_measure": {"fr": "Mesure", "en": "Measure"},
    "risk_before": {"fr": "Avant", "en": "Before"},
    "risk_after": {"fr": "Après", "en": "After"},
    "risk_max_prosecutor_risk": {"fr": "Risque maximal (procureur)", "en": "Highest prosecutor risk"},
    "risk_mean_prosecutor_risk": {"fr": "Risque moyen (procureur)", "en": "Mean prosecutor risk"},
    "risk_share_above_threshold": {"fr": "Réponses au-dessus du seuil", "en": "Responses above the threshold"},
    "risk_sample_uniques": {"fr": "Réponses uniques", "en": "Sample uniques"},
    "risk_g29": {"fr": "Les trois critères du G29", "en": "The G29's three criteria"},
    "risk_g29_singling_out": {"fr": "Individualisation", "en": "Singling out"},
    "risk_g29_linkability": {"fr": "Corrélation", "en": "Linkability"},
    "risk_g29_inference": {"fr": "Inférence", "en": "Inference"},
    "risk_remains": {"fr": "risque possible", "en": "risk remains"},
    "risk_removed": {"fr": "risque écarté", "en": "risk removed"},
    "risk_detections": {"fr": "Données personnelles retirées des textes libres :",
                        "en": "Personal data taken out of free text:"},
}
