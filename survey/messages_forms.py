"""Interface text of forms in progress — save and continue later, expired forms — and of the staff page's drop-out
counts, in French and English; merged into `survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

FORM_MESSAGES: dict[str, dict[str, str]] = {
    "save_later": {"fr": "Continuer plus tard", "en": "Save and continue later"},
    "saved_title": {"fr": "Vos réponses sont enregistrées", "en": "Your answers are saved"},
    "saved_body": {
        "fr": "Pour reprendre plus tard, sur cet appareil ou sur un autre, ouvrez ce lien. Il est personnel : "
              "quiconque l’a peut voir et modifier vos réponses. Il reste valable jusqu’au {date} ; chaque page "
              "envoyée repousse cette date.",
        "en": "To continue later, on this device or another one, open this link. It is personal: anyone who has "
              "it can see and change your answers. It stays valid until {date}; each page you send extends it.",
    },
    "resume_link": {"fr": "Lien pour reprendre", "en": "Link to continue"},
    "expired_form": {
        "fr": "Ce formulaire a expiré, a été modifié ou n’existe pas : les réponses d’un formulaire laissé trop "
              "longtemps sans suite ne sont pas gardées. Merci de recommencer.",
        "en": "This form has expired, was altered or does not exist: the answers of a form left unfinished for too "
              "long are not kept. Please start again.",
    },
    "expired_title": {"fr": "Formulaire expiré", "en": "Form expired"},
    # --- the staff page's drop-out counts
    "dropouts_title": {"fr": "Participation et abandons", "en": "Completion and drop-outs"},
    "dropouts_started": {"fr": "Formulaires commencés", "en": "Forms started"},
    "dropouts_completed": {"fr": "Formulaires envoyés", "en": "Forms sent"},
    "dropouts_rate": {"fr": "Taux de complétion", "en": "Completion rate"},
    "dropouts_unfinished": {"fr": "Non terminés (en cours ou abandonnés)", "en": "Unfinished (in progress or "
                                                                                 "abandoned)"},
    "dropouts_caption": {
        "fr": "Où s’arrêtent les formulaires non terminés : la page la plus loin atteinte",
        "en": "Where unfinished forms stop: the furthest page reached",
    },
    "dropouts_page": {"fr": "Page", "en": "Page"},
    "dropouts_count": {"fr": "Formulaires arrêtés", "en": "Forms stopped"},
    "dropouts_hint": {
        "fr": "Formulaires en ligne seulement (pas les saisies du personnel). Un formulaire commence à sa "
              "première page envoyée ; sans activité pendant {days} jours, il est abandonné. Les effectifs de "
              "moins de {threshold} sont masqués, comme dans les résultats.",
        "en": "Web forms only (not staff entries). A form starts with its first page sent; after {days} days "
              "without activity it is abandoned. Counts under {threshold} are hidden, as in the results.",
    },
    "dropouts_none": {"fr": "Aucun formulaire commencé pour l’instant.", "en": "No form started yet."},
}
