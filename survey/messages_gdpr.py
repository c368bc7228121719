"""Texts of quotas, retention, erasure and the register of processing, in French and English; merged into
`survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

GDPR_MESSAGES: dict[str, dict[str, str]] = {
    # quotas: what a respondent in a full cell reads, and the staff page's table
    "quota_full_title": {"fr": "Merci de votre intérêt", "en": "Thank you for your interest"},
    "quota_full_default": {
        "fr": "Nous avons déjà reçu toutes les réponses attendues de personnes dans votre situation. Vos réponses "
              "n’ont pas été enregistrées. Merci d’avoir pris le temps de participer.",
        "en": "We have already received all the responses we needed from people in your situation. Your answers "
              "were not recorded. Thank you for taking the time to take part.",
    },
    "quotas_title": {"fr": "Quotas", "en": "Quotas"},
    "quotas_intro": {
        "fr": "Réponses réelles comptées dans chaque case ; une case pleine arrête le questionnaire de ceux qui y "
              "tombent. Les réponses de test et synthétiques ne comptent pas.",
        "en": "Real responses counted in each cell; a full cell ends the form of those who fall in it. Test and "
              "synthetic responses do not count.",
    },
    "quota_name": {"fr": "Quota", "en": "Quota"},
    "quota_cell": {"fr": "Case", "en": "Cell"},
    "quota_fill": {"fr": "Remplissage", "en": "Filled"},
    "quota_total": {"fr": "toutes les réponses", "en": "every response"},
    "quota_full": {"fr": "pleine", "en": "full"},
    "quota_other_cells": {"fr": "Les autres cases, sans réponse pour l’instant, acceptent {limit} réponses "
                                "chacune.",
                          "en": "The other cells, with no response yet, take {limit} responses each."},
    "register_link": {"fr": "Registre des traitements (RGPD)", "en": "Register of processing (GDPR)"},
    "register_back": {"fr": "Retour au questionnaire", "en": "Back to the questionnaire"},
    # retention, appended to the evaluator's privacy notice
    "retention_until_end": {
        "fr": "Vos réponses sont conservées {days} jours après la fin de la mission ({end}), soit jusqu’au {last}, "
              "puis supprimées. Les tableaux anonymisés déjà produits restent.",
        "en": "Your answers are kept for {days} days after the mission ends ({end}), that is until {last}, then "
              "deleted. Anonymised tables already produced remain.",
    },
    "retention_from_submission": {
        "fr": "Vos réponses sont conservées {days} jours après leur envoi, puis supprimées. Les tableaux anonymisés "
              "déjà produits restent.",
        "en": "Your answers are kept for {days} days after you send them, then deleted. Anonymised tables already "
              "produced remain.",
    },
    "retention_contact": {"fr": "Pour exercer vos droits (accès, rectification, effacement) : {contact}.",
                          "en": "To exercise your rights (access, rectification, erasure): {contact}."},
    # erasure of one's own response
    "erasure_link": {"fr": "Demander l’effacement de ma réponse", "en": "Ask for my response to be erased"},
    "erasure_title": {"fr": "Effacer ma réponse", "en": "Erase my response"},
    "erasure_explain": {
        "fr": "Votre réponse à « {title} » sera supprimée définitivement. Le journal d’audit garde seulement la trace "
              "qu’un effacement a eu lieu, sans aucune de vos réponses. Les tableaux anonymisés déjà produits ne "
              "permettent pas de vous retrouver et restent.",
        "en": "Your response to “{title}” will be deleted for good. The audit log only keeps a record that an "
              "erasure took place, without any of your answers. Anonymised tables already produced cannot single "
              "you out and remain.",
    },
    "erasure_confirm": {"fr": "Effacer définitivement ma réponse", "en": "Erase my response for good"},
    "erasure_done": {"fr": "Votre réponse a été effacée.", "en": "Your response has been erased."},
    "erasure_nothing": {
        "fr": "Aucune réponse n’est enregistrée avec ce lien : elle a peut-être déjà été effacée.",
        "en": "No response is stored with this link: it may have been erased already.",
    },
    "erasure_closed": {
        "fr": "Ce questionnaire est clos : les réponses ne peuvent plus être effacées depuis ce lien. Écrivez à "
              "{contact} pour exercer vos droits.",
        "en": "This questionnaire is closed: responses can no longer be erased from this link. Write to {contact} "
              "to exercise your rights.",
    },
    "erasure_contact_fallback": {"fr": "l’équipe d’évaluation", "en": "the evaluation team"},
}
