"""Interface text in French (default) and English, one catalogue for pages, PDF and answer errors.  PURE."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    # --- answers: codes of survey.validation.AnswerIssue
    "required": {"fr": "Cette question est obligatoire.", "en": "This question is required."},
    "unknown_option": {"fr": "Choisissez une des réponses proposées.", "en": "Choose one of the options offered."},
    "not_integer": {"fr": "Saisissez un nombre entier, par exemple 12.", "en": "Enter a whole number, e.g. 12."},
    "not_number": {"fr": "Saisissez un nombre, par exemple 3,5.", "en": "Enter a number, e.g. 3.5."},
    "not_date": {"fr": "Saisissez une date au format JJ/MM/AAAA.", "en": "Enter a date as DD/MM/YYYY."},
    "not_text": {"fr": "Saisissez du texte.", "en": "Enter some text."},
    "too_long": {"fr": "Votre réponse dépasse {max} caractères.", "en": "Your answer is longer than {max} characters."},
    "too_small": {"fr": "La valeur doit être au moins {min}.", "en": "The value must be at least {min}."},
    "too_large": {"fr": "La valeur doit être au plus {max}.", "en": "The value must be at most {max}."},
    "too_early": {"fr": "La date doit être le {min} ou après.", "en": "The date must be on or after {min}."},
    "too_late": {"fr": "La date doit être le {max} ou avant.", "en": "The date must be on or before {max}."},
    "too_few_choices": {"fr": "Cochez au moins {min} réponses.", "en": "Tick at least {min} options."},
    "too_many_choices": {"fr": "Cochez au plus {max} réponses.", "en": "Tick at most {max} options."},
    "unknown_question": {"fr": "Question inconnue.", "en": "Unknown question."},
    # --- answering
    "yes": {"fr": "Oui", "en": "Yes"},
    "no": {"fr": "Non", "en": "No"},
    "next": {"fr": "Suivant", "en": "Next"},
    "back": {"fr": "Précédent", "en": "Back"},
    "submit": {"fr": "Envoyer mes réponses", "en": "Send my answers"},
    "start": {"fr": "Commencer", "en": "Start"},
    "progress": {"fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "required_marker": {"fr": "obligatoire", "en": "required"},
    "required_legend": {
        "fr": "Les questions marquées d’un astérisque (*) sont obligatoires.",
        "en": "Questions marked with an asterisk (*) are required.",
    },
    "errors_title": {"fr": "Votre page contient {count} erreur(s)", "en": "This page has {count} error(s)"},
    "error_prefix": {"fr": "Erreur :", "en": "Error:"},
    "privacy_title": {"fr": "Vos données", "en": "Your data"},
    "thanks_title": {"fr": "Merci pour votre participation", "en": "Thank you for taking part"},
    "thanks_body": {
        "fr": "Vos réponses ont bien été enregistrées. Vous pouvez fermer cette page.",
        "en": "Your answers have been recorded. You may close this page.",
    },
    "expired_form": {
        "fr": "Ce formulaire a expiré ou a été modifié. Merci de recommencer.",
        "en": "This form has expired or was altered. Please start again.",
    },
    "choose": {"fr": "Choisissez…", "en": "Choose…"},
    "language": {"fr": "Langue", "en": "Language"},
    "date_hint": {"fr": "Format : JJ/MM/AAAA", "en": "Format: DD/MM/YYYY"},
    "range_hint": {"fr": "Entre {min} et {max}", "en": "Between {min} and {max}"},
    "skip_link": {"fr": "Aller au contenu", "en": "Skip to content"},
    # --- staff
    "login_title": {"fr": "Connexion", "en": "Sign in"},
    "email": {"fr": "Adresse e-mail", "en": "Email address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "login": {"fr": "Se connecter", "en": "Sign in"},
    "logout": {"fr": "Se déconnecter", "en": "Sign out"},
    "login_failed": {"fr": "Adresse e-mail ou mot de passe incorrect.", "en": "Wrong email address or password."},
    "staff_home": {"fr": "Questionnaires", "en": "Questionnaires"},
    "mission": {"fr": "Mission", "en": "Mission"},
    "client": {"fr": "Collectivité", "en": "Local government"},
    "questionnaire": {"fr": "Questionnaire", "en": "Questionnaire"},
    "versions": {"fr": "Versions", "en": "Versions"},
    "responses": {"fr": "Réponses", "en": "Responses"},
    "no_questionnaire": {"fr": "Aucun questionnaire dans vos missions.", "en": "No questionnaire in your missions."},
    "open_form": {"fr": "Ouvrir le formulaire", "en": "Open the form"},
    "download_csv": {"fr": "Données anonymisées (CSV)", "en": "Anonymised data (CSV)"},
    "download_codebook": {"fr": "Dictionnaire des variables (CSV)", "en": "Codebook (CSV)"},
    "download_pdf": {"fr": "Synthèse (PDF)", "en": "Summary (PDF)"},
    "downloads": {"fr": "Téléchargements", "en": "Downloads"},
    "role": {"fr": "Rôle", "en": "Role"},
    "forbidden_title": {"fr": "Accès refusé", "en": "Access denied"},
    "forbidden_body": {
        "fr": "Votre rôle ne permet pas d’accéder à cette page.",
        "en": "Your role does not give access to this page.",
    },
    "not_found_title": {"fr": "Page introuvable", "en": "Page not found"},
    "not_found_body": {
        "fr": "Cette adresse ne correspond à aucune page. Vérifiez le lien reçu.",
        "en": "This address matches no page. Check the link you were given.",
    },
    "bad_request_title": {"fr": "Requête invalide", "en": "Bad request"},
    "server_error_title": {"fr": "Erreur du serveur", "en": "Server error"},
    "server_error_body": {
        "fr": "Une erreur inattendue s’est produite. Vos réponses déjà enregistrées sont conservées.",
        "en": "An unexpected error occurred. Answers already recorded are kept.",
    },
    "csrf_failed": {
        "fr": "Le formulaire n’a pas pu être vérifié (cookies désactivés ou page trop ancienne). "
              "Activez les cookies, rechargez la page et renvoyez-la.",
        "en": "The form could not be verified (cookies disabled or page too old). "
              "Enable cookies, reload the page and send it again.",
    },
    "back_home": {"fr": "Retour à l’accueil", "en": "Back to the home page"},
    # --- report (PDF and staff summary)
    "report_title": {"fr": "Synthèse des réponses", "en": "Summary of responses"},
    "collection_period": {"fr": "Période de collecte", "en": "Collection period"},
    "response_count": {"fr": "Nombre de réponses", "en": "Number of responses"},
    "generated_on": {"fr": "Document produit le {date}", "en": "Produced on {date}"},
    "answer": {"fr": "Réponse", "en": "Answer"},
    "count": {"fr": "Effectif", "en": "Count"},
    "percent": {"fr": "%", "en": "%"},
    "answered": {"fr": "Répondants", "en": "Respondents"},
    "no_answer": {"fr": "Sans réponse", "en": "No answer"},
    "minimum": {"fr": "Minimum", "en": "Minimum"},
    "median": {"fr": "Médiane", "en": "Median"},
    "mean": {"fr": "Moyenne", "en": "Mean"},
    "maximum": {"fr": "Maximum", "en": "Maximum"},
    "free_text_note": {
        "fr": "Réponses libres : {count}. Le texte n’est pas reproduit dans la synthèse, pour préserver l’anonymat.",
        "en": "Free-text answers: {count}. The text is not reproduced in the summary, to preserve anonymity.",
    },
    "multiple_note": {
        "fr": "Plusieurs réponses possibles : les pourcentages sont calculés sur les répondants.",
        "en": "Several answers allowed: percentages are of respondents.",
    },
    "no_response_yet": {"fr": "Aucune réponse pour l’instant.", "en": "No response yet."},
    "version": {"fr": "Version", "en": "Version"},
    "range": {"fr": "Tranche", "en": "Range"},
    "statistic": {"fr": "Indicateur", "en": "Statistic"},
    "value": {"fr": "Valeur", "en": "Value"},
    "first_date": {"fr": "Première date", "en": "Earliest date"},
    "last_date": {"fr": "Dernière date", "en": "Latest date"},
    "chart_label": {"fr": "Graphique en barres : {label}", "en": "Bar chart: {label}"},
    "table_note": {
        "fr": "Pourcentages calculés sur les répondants à la question.",
        "en": "Percentages are of those who answered the question.",
    },
    "codebook_export_id": {
        "fr": "Identifiant tiré au hasard à chaque export, sans lien avec la réponse enregistrée.",
        "en": "Identifier drawn at random for each export, unrelated to the stored response.",
    },
    "codebook_version": {
        "fr": "Version du questionnaire à laquelle la personne a répondu.",
        "en": "Questionnaire version answered.",
    },
    "codebook_submitted_date": {
        "fr": "Jour d’envoi des réponses (AAAA-MM-JJ).",
        "en": "Day the answers were sent (YYYY-MM-DD).",
    },
}


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The message `key` in `language` (French when missing), with `params` filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def pick_language(requested: str | None, accept_language: str | None = None) -> str:
    """A language we offer: the one asked for, else the browser's first we know, else French."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
