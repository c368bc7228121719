"""Interface text in French (default) and English, one catalogue for pages, PDF and answer errors.  PURE."""

from __future__ import annotations

from typing import Any

from survey.messages_analysis import ANALYSIS_MESSAGES
from survey.messages_api import API_MESSAGES
from survey.messages_disclosure import DISCLOSURE_MESSAGES
from survey.messages_forms import FORM_MESSAGES
from survey.messages_gdpr import GDPR_MESSAGES
from survey.messages_interviews import INTERVIEW_MESSAGES
from survey.messages_invitations import INVITATION_MESSAGES
from survey.messages_publishing import PUBLISHING_MESSAGES
from survey.messages_responses import RESPONSE_MESSAGES

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
    "too_few_ranked": {"fr": "Classez au moins {min} réponses.", "en": "Rank at least {min} options."},
    "too_many_ranked": {"fr": "Classez au plus {max} réponses.", "en": "Rank at most {max} options."},
    "unknown_question": {"fr": "Question inconnue.", "en": "Unknown question."},
    "not_time": {"fr": "Saisissez une heure, par exemple 14:30.", "en": "Enter a time, e.g. 14:30."},
    "not_email": {
        "fr": "Saisissez une adresse e-mail complète, par exemple nom@exemple.fr.",
        "en": "Enter a full e-mail address, e.g. name@example.com.",
    },
    "not_phone": {
        "fr": "Saisissez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78.",
        "en": "Enter a French 10-digit phone number, e.g. 06 12 34 56 78.",
    },
    "bad_ranking": {
        "fr": "Donnez à chaque réponse classée un rang différent, à partir de 1, sans en sauter.",
        "en": "Give each ranked option a different rank, from 1, without gaps.",
    },
    "constraint": {"fr": "Cette réponse ne convient pas.", "en": "This answer is not accepted."},
    "specify_other": {"fr": "Précisez votre réponse « Autre ».", "en": "Please specify your “Other” answer."},
    "too_few_repeats": {"fr": "Ajoutez au moins {min} élément(s).", "en": "Add at least {min} item(s)."},
    "too_many_repeats": {"fr": "Pas plus de {max} élément(s).", "en": "No more than {max} item(s)."},
    "repeat_instance": {
        "fr": "Élément n° {number} : une réponse manque ou ne convient pas.",
        "en": "Item {number}: an answer is missing or not accepted.",
    },
    "not_asked": {"fr": "Cette question ne vous était pas posée.", "en": "This question was not for you."},
    "bad_character": {
        "fr": "Votre réponse contient un caractère invisible ou mal encodé (caractère de contrôle, octet nul…) qui "
              "ne peut pas être enregistré : retirez-le, par exemple en retapant le texte au lieu de le coller.",
        "en": "Your answer holds an invisible or badly encoded character (a control character, a null byte…) that "
              "cannot be recorded: remove it, e.g. by typing the text again instead of pasting it.",
    },
    "other_bad_character": {
        "fr": "Votre précision « Autre » contient un caractère invisible ou mal encodé qui ne peut pas être "
              "enregistré : retirez-le, par exemple en retapant le texte.",
        "en": "Your “Other” text holds an invisible or badly encoded character that cannot be recorded: remove "
              "it, e.g. by typing the text again.",
    },
    "other_too_long": {"fr": "Votre précision « Autre » dépasse {max} caractères.",
                       "en": "Your “Other” text is longer than {max} characters."},
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
    "choose": {"fr": "Choisissez…", "en": "Choose…"},
    "language": {"fr": "Langue", "en": "Language"},
    "date_hint": {"fr": "Format : JJ/MM/AAAA", "en": "Format: DD/MM/YYYY"},
    "range_hint": {"fr": "Entre {min} et {max}", "en": "Between {min} and {max}"},
    "special_dont_know": {"fr": "Je ne sais pas", "en": "I don’t know"},
    "special_prefer_not_to_say": {"fr": "Je préfère ne pas répondre", "en": "I prefer not to say"},
    "other_option": {"fr": "Autre", "en": "Other"},
    "other_specify": {"fr": "Précisez :", "en": "Please specify:"},
    "consent_box": {"fr": "J’ai lu et j’accepte", "en": "I have read and I agree"},
    "ranking_hint": {
        "fr": "Donnez le rang 1 à ce qui compte le plus pour vous, puis 2, 3…",
        "en": "Give rank 1 to what matters most to you, then 2, 3…",
    },
    "phone_hint": {"fr": "10 chiffres, par exemple 06 12 34 56 78", "en": "10 digits, e.g. 06 12 34 56 78"},
    "repeat_item": {"fr": "Élément n° {number}", "en": "Item {number}"},
    "repeat_add": {"fr": "Ajouter un élément", "en": "Add an item"},
    "repeat_remove": {"fr": "Retirer l’élément n° {number}", "en": "Remove item {number}"},
    "new_questions": {
        "fr": "Vos réponses ouvrent de nouvelles questions sur cette page : complétez-les puis continuez.",
        "en": "Your answers open new questions on this page: answer them, then continue.",
    },
    "preview_banner": {
        "fr": "Aperçu de la version {version} : les réponses saisies ne sont pas enregistrées.",
        "en": "Preview of version {version}: answers typed here are not stored.",
    },
    "preview_done": {
        "fr": "Fin de l’aperçu : ces réponses sont valides, et rien n’a été enregistré.",
        "en": "End of the preview: these answers are valid, and nothing was stored.",
    },
    "preview": {"fr": "Aperçu", "en": "Preview"},
    "skip_link": {"fr": "Aller au contenu", "en": "Skip to content"},
    # --- staff
    "login_title": {"fr": "Connexion", "en": "Sign in"},
    "email": {"fr": "Adresse e-mail", "en": "Email address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "login": {"fr": "Se connecter", "en": "Sign in"},
    "logout": {"fr": "Se déconnecter", "en": "Sign out"},
    "login_failed": {"fr": "Adresse e-mail ou mot de passe incorrect.", "en": "Wrong email address or password."},
    # One message for a locked e-mail and a locked address, known account or not: it tells an attacker nothing.
    "login_locked": {
        "fr": "Trop de tentatives de connexion ont échoué. Réessayez dans {minutes} minute(s), ou demandez à un "
              "administrateur de débloquer l’accès.",
        "en": "Too many failed sign-in attempts. Try again in {minutes} minute(s), or ask an administrator to "
              "unlock access.",
    },
    "login_locks_title": {"fr": "Connexions bloquées", "en": "Locked sign-ins"},
    "login_locks_intro": {
        "fr": "Après trop de mots de passe erronés, une adresse e-mail ou une adresse réseau est bloquée pour une "
              "durée qui double à chaque nouvel échec. Débloquer efface le compte des échecs ; l’action est "
              "inscrite au journal d’audit.",
        "en": "After too many wrong passwords, an e-mail address or a network address is locked for a time that "
              "doubles with each further failure. Unlocking clears the count of failures; it is recorded in the "
              "audit log.",
    },
    "login_locks_none": {"fr": "Aucune connexion bloquée.", "en": "No sign-in is locked."},
    "login_lock_key": {"fr": "E-mail ou adresse réseau", "en": "E-mail or network address"},
    "login_lock_failures": {"fr": "Échecs", "en": "Failures"},
    "login_lock_until": {"fr": "Bloqué jusqu’à (UTC)", "en": "Locked until (UTC)"},
    "login_lock_address": {"fr": "adresse réseau {fingerprint}", "en": "network address {fingerprint}"},
    "unlock": {"fr": "Débloquer", "en": "Unlock"},
    "unlocked": {"fr": "Accès débloqué.", "en": "Access unlocked."},
    "login_locks_link": {"fr": "Connexions bloquées", "en": "Locked sign-ins"},
    "staff_home": {"fr": "Questionnaires", "en": "Questionnaires"},
    "mission": {"fr": "Mission", "en": "Mission"},
    "client": {"fr": "Collectivité", "en": "Local government"},
    "questionnaire": {"fr": "Questionnaire", "en": "Questionnaire"},
    "versions": {"fr": "Versions", "en": "Versions"},
    "responses": {"fr": "Réponses", "en": "Responses"},
    "no_questionnaire": {"fr": "Aucun questionnaire dans vos missions.", "en": "No questionnaire in your missions."},
    "open_form": {"fr": "Ouvrir le formulaire", "en": "Open the form"},
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
    "too_large_title": {"fr": "Envoi trop volumineux", "en": "Too much sent at once"},
    "too_large_body": {
        "fr": "Ce que vous avez envoyé dépasse la taille que ce service accepte en une fois. Revenez à la page "
              "précédente avec le bouton « Retour » de votre navigateur, raccourcissez vos réponses (en particulier "
              "les textes collés) et renvoyez la page. Vos réponses déjà enregistrées sont conservées.",
        "en": "What you sent is more than this service accepts at once. Go back to the previous page with your "
              "browser's Back button, shorten your answers (pasted texts especially) and send the page again. "
              "Answers already recorded are kept.",
    },
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
    "codebook_channel": {
        "fr": "Mode de recueil de la réponse : en ligne (web), sur papier (paper) ou par téléphone (telephone).",
        "en": "How the response was collected: online (web), on paper (paper) or by telephone (telephone).",
    },
    "export_channel_web": {"fr": "Web", "en": "Web"},
    "export_channel_paper": {"fr": "Papier", "en": "Paper"},
    "export_channel_telephone": {"fr": "Téléphone", "en": "Telephone"},
    "codebook_parent_id": {
        "fr": "Identifiant de la ligne du fichier principal (même export) à laquelle cet élément se rattache.",
        "en": "Identifier of the row of the main file (same export) this item belongs to.",
    },
    "codebook_instance": {
        "fr": "Numéro de l’élément dans le groupe répété (1, 2, …).",
        "en": "Number of the item within the repeated group (1, 2, …).",
    },
    "codebook_rank": {
        "fr": "Rang donné à cette option (1 = premier choix) ; vide si elle n’a pas été classée.",
        "en": "Rank given to this option (1 = first choice); empty when it was not ranked.",
    },
    "codebook_other_text": {
        "fr": "Texte saisi pour « Autre » (texte libre).",
        "en": "Text typed for “Other” (free text).",
    },
    "report_dont_know": {"fr": "Ne sait pas", "en": "Don’t know"},
    "report_prefer_not_to_say": {"fr": "Préfère ne pas répondre", "en": "Prefer not to say"},
    "report_not_asked": {"fr": "Non concerné (question non posée)", "en": "Not applicable (question not asked)"},
    "ranked": {"fr": "Classée", "en": "Ranked"},
    "mean_rank": {"fr": "Rang moyen", "en": "Mean rank"},
    "ranking_note": {
        "fr": "Rang moyen parmi les répondants qui ont classé l’option (1 = premier choix) ; triées du mieux classé.",
        "en": "Mean rank among respondents who ranked the option (1 = first choice); best ranked first.",
    },
    "item": {"fr": "Élément", "en": "Item"},
    "matrix_note": {
        "fr": "Effectifs et pourcentages (entre parenthèses) des répondants à chaque élément.",
        "en": "Counts and percentages (in brackets) of respondents to each item.",
    },
    "stacked_chart_label": {"fr": "Barres empilées : {label}", "en": "Stacked bars: {label}"},
    "nps_score": {"fr": "Score NPS (promoteurs − détracteurs)", "en": "NPS (promoters − detractors)"},
    "promoters": {"fr": "Promoteurs (9–10), %", "en": "Promoters (9–10), %"},
    "passives": {"fr": "Passifs (7–8), %", "en": "Passives (7–8), %"},
    "detractors": {"fr": "Détracteurs (0–6), %", "en": "Detractors (0–6), %"},
    "instances": {"fr": "Éléments saisis (total)", "en": "Items entered (total)"},
    "repeat_note": {
        "fr": "Nombre d’éléments saisis par réponse ; le détail est dans le fichier du groupe répété.",
        "en": "Number of items entered per response; the details are in the repeated group's file.",
    },
    "first_time": {"fr": "Heure la plus tôt", "en": "Earliest time"},
    "last_time": {"fr": "Heure la plus tardive", "en": "Latest time"},
    "codes": {"fr": "Codes", "en": "Codes"},
    "labels_in": {"fr": "Libellés ({language})", "en": "Labels ({language})"},
    # --- background jobs: exports and PDF summaries (survey/jobs.py, staff_job.html)
    "export_data": {"fr": "Exporter les données", "en": "Export the data"},
    "export_hint": {
        "fr": "Un fichier .zip : les réponses anonymisées, un tableau par groupe répété (relié par export_id), "
              "le dictionnaire des variables, le rapport d’anonymisation et un LISEZMOI.",
        "en": "One .zip file: the anonymised responses, one table per repeated group (linked by export_id), "
              "the codebook, the anonymisation report and a LISEZMOI (read-me).",
    },
    "export_format": {"fr": "Format", "en": "Format"},
    "format_csv": {"fr": "CSV", "en": "CSV"},
    "format_csv-fr": {"fr": "CSV pour Excel français (point-virgule, virgule décimale)",
                      "en": "CSV for French Excel (semicolons, decimal comma)"},
    "format_xlsx": {"fr": "Excel (.xlsx)", "en": "Excel (.xlsx)"},
    "format_parquet": {"fr": "Parquet (R, Python)", "en": "Parquet (R, Python)"},
    "format_sav": {"fr": "SPSS (.sav)", "en": "SPSS (.sav)"},
    "format_dta": {"fr": "Stata (.dta)", "en": "Stata (.dta)"},
    "format_json": {"fr": "JSON", "en": "JSON"},
    "export_values": {"fr": "Réponses à choix exportées en", "en": "Choice answers exported as"},
    "start_export": {"fr": "Lancer l’export", "en": "Start the export"},
    "make_report": {"fr": "Produire la synthèse (PDF)", "en": "Make the summary (PDF)"},
    "report_hint": {"fr": "La synthèse est rédigée dans la langue de cette page.",
                    "en": "The summary is written in the language of this page."},
    "recent_jobs": {"fr": "Vos exports récents", "en": "Your recent exports"},
    "job_requested": {"fr": "Demandé le", "en": "Requested"},
    "job_what": {"fr": "Fichier", "en": "File"},
    "job_state": {"fr": "État", "en": "Status"},
    "job_kind_export": {"fr": "Données — {format}", "en": "Data — {format}"},
    "job_kind_report": {"fr": "Synthèse (PDF)", "en": "Summary (PDF)"},
    "job_status_queued": {"fr": "En attente", "en": "Waiting"},
    "job_status_running": {"fr": "En cours", "en": "Running"},
    "job_status_done": {"fr": "Terminé", "en": "Done"},
    "job_status_failed": {"fr": "Échec", "en": "Failed"},
    "job_status_cancelled": {"fr": "Annulé", "en": "Cancelled"},
    "job_progress": {"fr": "Avancement : {percent} %", "en": "Progress: {percent}%"},
    "job_refresh_note": {"fr": "Cette page se met à jour toute seule toutes les 2 secondes.",
                         "en": "This page updates itself every 2 seconds."},
    "job_download": {"fr": "Télécharger {name}", "en": "Download {name}"},
    "job_available_until": {"fr": "Disponible jusqu’au {date} (UTC), puis supprimé.",
                            "en": "Available until {date} (UTC), then deleted."},
    "job_expired": {"fr": "Ce fichier a expiré et a été supprimé. Relancez l’export si besoin.",
                    "en": "This file has expired and was deleted. Start the export again if needed."},
    "job_stop_refresh": {"fr": "Arrêter la mise à jour automatique", "en": "Stop updating automatically"},
    "job_reload": {"fr": "Mettre à jour l’état", "en": "Update the status"},
    "job_cancel": {"fr": "Annuler", "en": "Cancel"},
    "job_cancelled_note": {"fr": "Annulé : aucun fichier n’a été conservé.",
                           "en": "Cancelled: no file was kept."},
    "job_failed_note": {"fr": "Échec : aucun fichier n’a été conservé.", "en": "Failed: no file was kept."},
    "job_failed": {
        "fr": "Une erreur inattendue a interrompu ce travail. Relancez-le ; si cela se reproduit, signalez-le.",
        "en": "An unexpected error stopped this job. Start it again; if it happens again, report it.",
    },
    "job_unknown_questionnaire": {"fr": "Ce questionnaire n’est plus chargé.",
                                  "en": "This questionnaire is no longer loaded."},
    "job_interrupted": {"fr": "Interrompu par un redémarrage du service. Relancez-le.",
                        "en": "Stopped by a restart of the service. Start it again."},
    "back_to_questionnaire": {"fr": "Retour au questionnaire", "en": "Back to the questionnaire"},
    # --- API tokens and the API reference (/staff/tokens, /schema)
    **API_MESSAGES,
    **DISCLOSURE_MESSAGES,
    **FORM_MESSAGES,
    **ANALYSIS_MESSAGES,
    **RESPONSE_MESSAGES,
    **INVITATION_MESSAGES,
    **INTERVIEW_MESSAGES,
    **PUBLISHING_MESSAGES,
    **GDPR_MESSAGES,
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
