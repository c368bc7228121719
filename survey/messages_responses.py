"""Interface text of the staff pages that manage responses, in French and English; merged into
`survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

RESPONSE_MESSAGES: dict[str, dict[str, str]] = {
    "responses_link": {"fr": "Gérer les réponses", "en": "Manage responses"},
    "responses_title": {"fr": "Réponses", "en": "Responses"},
    "responses_intro": {
        "fr": "Les réponses de test et les réponses synthétiques (« survey seed ») ne comptent ni dans les résultats "
              "ni dans les exports. Chaque marquage, correction ou suppression est inscrit au journal d’audit.",
        "en": "Test responses and synthetic ones (“survey seed”) count neither in the results nor in the exports. "
              "Every marking, correction or deletion is written to the audit log.",
    },
    "responses_by_status": {"fr": "Réponses par nature", "en": "Responses by kind"},
    "response_status_real_plural": {"fr": "Réelles", "en": "Real"},
    "response_status_test_plural": {"fr": "De test", "en": "Test"},
    "response_status_synthetic_plural": {"fr": "Synthétiques", "en": "Synthetic"},
    "response_status_real": {"fr": "Réelle", "en": "Real"},
    "response_status_test": {"fr": "Test", "en": "Test"},
    "response_status_synthetic": {"fr": "Synthétique", "en": "Synthetic"},
    "responses_all": {"fr": "Toutes", "en": "All"},
    "responses_every_version": {"fr": "Toutes les versions", "en": "Every version"},
    "responses_since": {"fr": "Reçues depuis le", "en": "Received from"},
    "responses_until": {"fr": "Jusqu’au (inclus)", "en": "Until (included)"},
    "responses_none": {"fr": "Aucune réponse ne correspond.", "en": "No response matches."},
    "responses_caption": {"fr": "{count} réponse(s), les plus récentes d’abord — page {page} sur {pages}",
                          "en": "{count} response(s), newest first — page {page} of {pages}"},
    "responses_pages": {"fr": "Pages de réponses", "en": "Pages of responses"},
    "responses_previous": {"fr": "Page précédente", "en": "Previous page"},
    "responses_next": {"fr": "Page suivante", "en": "Next page"},
    "responses_page": {"fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "response_number": {"fr": "N°", "en": "No."},
    "response_submitted": {"fr": "Reçue le", "en": "Received"},
    "response_status": {"fr": "Nature", "en": "Kind"},
    "response_corrected": {"fr": "Corrigée le", "en": "Corrected"},
    "response_title": {"fr": "Réponse n° {number}", "en": "Response no. {number}"},
    "response_answers": {"fr": "Les réponses données", "en": "The answers given"},
    "response_question": {"fr": "Question", "en": "Question"},
    "response_answer": {"fr": "Réponse", "en": "Answer"},
    "response_blank": {"fr": "sans réponse", "en": "no answer"},
    "response_mark_test": {"fr": "Marquer comme réponse de test", "en": "Mark as a test response"},
    "response_mark_real": {"fr": "Remettre parmi les réponses réelles", "en": "Put back among real responses"},
    "response_delete": {"fr": "Supprimer cette réponse…", "en": "Delete this response…"},
    "response_delete_title": {"fr": "Supprimer la réponse n° {number} ?", "en": "Delete response no. {number}?"},
    "response_delete_warning": {
        "fr": "La réponse reçue le {submitted} UTC (version {version}) sera supprimée définitivement. Le journal "
              "d’audit gardera qui l’a supprimée et quand, pas son contenu.",
        "en": "The response received on {submitted} UTC (version {version}) will be deleted for good. The audit log "
              "will keep who deleted it and when, not what it held.",
    },
    "response_delete_confirm": {"fr": "Supprimer définitivement", "en": "Delete for good"},
    "response_delete_cancel": {"fr": "Annuler", "en": "Cancel"},
    "response_correct": {"fr": "Corriger", "en": "Correct"},
    "response_correct_title": {"fr": "Corriger la réponse n° {number}", "en": "Correct response no. {number}"},
    "response_correct_intro": {
        "fr": "La nouvelle réponse est vérifiée comme celle d’un répondant. L’ancienne et la nouvelle valeur sont "
              "inscrites au journal d’audit, avec votre nom et l’heure.",
        "en": "The new answer is checked as a respondent's is. The old and new values are written to the audit log, "
              "with your name and the time.",
    },
    "response_correct_save": {"fr": "Enregistrer la correction", "en": "Save the correction"},
    "response_done_marked_test": {
        "fr": "Réponse marquée comme réponse de test : elle ne compte plus dans les résultats ni dans les exports.",
        "en": "Response marked as a test response: it no longer counts in the results or the exports.",
    },
    "response_done_marked_real": {"fr": "Réponse remise parmi les réponses réelles.",
                                  "en": "Response put back among real responses."},
    "response_done_corrected": {"fr": "Correction enregistrée.", "en": "Correction saved."},
    "response_done_deleted": {"fr": "Réponse supprimée.", "en": "Response deleted."},
    "correction_not_asked": {
        "fr": "Vu ses autres réponses, cette question n’était pas posée à ce répondant : corrigez d’abord la réponse "
              "qui la fait poser.",
        "en": "Given the other answers, this question was not asked of this respondent: first correct the answer "
              "that makes it asked.",
    },
    "export_include_synthetic": {"fr": "Inclure les réponses synthétiques (données de démonstration)",
                                 "en": "Include synthetic responses (demo data)"},
}
