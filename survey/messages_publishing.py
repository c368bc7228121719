"""Interface text of publishing — the respondent's page when a questionnaire does not take answers, the staff pages
that upload, publish, close and brand questionnaires — in French and English; merged into
`survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

PUBLISHING_MESSAGES: dict[str, dict[str, str]] = {
    # --- respondents: survey/web/publishing.py, templates/respond_closed.html
    "closed_title_draft": {"fr": "Questionnaire non publié", "en": "Questionnaire not published"},
    "closed_body_draft": {
        "fr": "Ce questionnaire n’est pas encore publié. Si l’on vous a donné ce lien, revenez un peu plus tard.",
        "en": "This questionnaire is not published yet. If you were given this link, please come back later.",
    },
    "closed_title_not_yet_open": {"fr": "Questionnaire pas encore ouvert", "en": "Questionnaire not open yet"},
    "closed_body_not_yet_open": {
        "fr": "Ce questionnaire ouvrira le {moment}. Merci de revenir à partir de cette date.",
        "en": "This questionnaire opens on {moment}. Please come back from then.",
    },
    "closed_title_closed": {"fr": "Questionnaire clos", "en": "Questionnaire closed"},
    "closed_body_closed": {
        "fr": "Ce questionnaire est clos depuis le {moment} : il ne reçoit plus de réponses. Merci de l’intérêt "
              "que vous lui portez.",
        "en": "This questionnaire closed on {moment} and no longer takes answers. Thank you for your interest.",
    },
    "closed_body_closed_undated": {
        "fr": "Ce questionnaire est clos : il ne reçoit plus de réponses. Merci de l’intérêt que vous lui portez.",
        "en": "This questionnaire is closed and no longer takes answers. Thank you for your interest.",
    },
    "closed_title_archived": {"fr": "Questionnaire clos", "en": "Questionnaire closed"},
    "closed_body_archived": {
        "fr": "Ce questionnaire est clos : il ne reçoit plus de réponses. Merci de l’intérêt que vous lui portez.",
        "en": "This questionnaire is closed and no longer takes answers. Thank you for your interest.",
    },
    "closed_late": {
        "fr": "Vos dernières réponses n’ont pas pu être enregistrées : le questionnaire a fermé et le délai pour "
              "terminer un questionnaire commencé avant sa clôture est passé.",
        "en": "Your last answers could not be recorded: the questionnaire has closed, and the time allowed to finish "
              "a questionnaire started before it closed has passed.",
    },
    "moment_at": {"fr": "{day} à {time}", "en": "{day} at {time}"},
    "branding_logo_alt": {"fr": "Logo : {name}", "en": "Logo: {name}"},
    # --- staff: survey/web/publish.py, templates/staff_publish.html, staff_publication.html
    "publish_link": {"fr": "Publier un questionnaire", "en": "Publish a questionnaire"},
    "publish_title": {"fr": "Publier un questionnaire", "en": "Publish a questionnaire"},
    "publish_intro": {
        "fr": "Déposez un fichier de questionnaire (YAML) ou un XLSForm (.xlsx, .xls). Il est vérifié comme le fait "
              "« survey validate » ; un nouveau questionnaire arrive en brouillon : prévisualisez-le, puis ouvrez-le. "
              "Un fichier d’un questionnaire existant en devient une nouvelle version (une version déjà montrée à "
              "des répondants ne change jamais). Un questionnaire qui lit des fichiers CSV à côté de lui "
              "(`choices_from`, `mission: lists`) se charge depuis son dossier avec « survey load ».",
        "en": "Upload a questionnaire file (YAML) or an XLSForm (.xlsx, .xls). It is checked as “survey validate” "
              "does; a new questionnaire arrives as a draft: preview it, then open it. A file of an existing "
              "questionnaire becomes a new version of it (a version already shown to respondents never changes). A "
              "questionnaire that reads CSV files beside it (`choices_from`, `mission: lists`) is loaded from its "
              "folder with “survey load”.",
    },
    "publish_file": {"fr": "Fichier", "en": "File"},
    "publish_file_hint": {
        "fr": "YAML (.yaml, .yml) ou XLSForm (.xlsx, .xls), 10 Mo au plus.",
        "en": "YAML (.yaml, .yml) or XLSForm (.xlsx, .xls), at most 10 MB.",
    },
    "publish_upload": {"fr": "Vérifier et déposer", "en": "Check and upload"},
    "publish_problems": {
        "fr": "{count} problème(s) : rien n’a été enregistré. Corrigez le fichier puis déposez-le de nouveau.",
        "en": "{count} problem(s): nothing was stored. Fix the file, then upload it again.",
    },
    "publish_notes": {
        "fr": "Conversion de l’XLSForm : ce qui n’a pas été repris",
        "en": "XLSForm conversion: what was not carried over",
    },
    "publish_result_new": {
        "fr": "Questionnaire déposé en brouillon. Prévisualisez-le, puis ouvrez-le aux répondants.",
        "en": "Questionnaire uploaded as a draft. Preview it, then open it to respondents.",
    },
    "publish_result_updated": {
        "fr": "La version {version} a été remplacée (aucun répondant ne l’avait encore vue).",
        "en": "Version {version} was replaced (no respondent had seen it yet).",
    },
    "publish_result_versioned": {
        "fr": "Nouvelle version {version} : les répondants qui ont commencé gardent la leur.",
        "en": "New version {version}: respondents who already started keep theirs.",
    },
    "publish_result_unchanged": {
        "fr": "Ce fichier est identique à la version {version} : rien n’a changé.",
        "en": "This file is the same as version {version}: nothing changed.",
    },
    "publication_title": {"fr": "Publication", "en": "Publishing"},
    "publication_link": {"fr": "Publication et dates", "en": "Publishing and dates"},
    "state": {"fr": "État", "en": "State"},
    "state_draft": {"fr": "Brouillon", "en": "Draft"},
    "state_open": {"fr": "Ouvert", "en": "Open"},
    "state_closed": {"fr": "Clos", "en": "Closed"},
    "state_archived": {"fr": "Archivé", "en": "Archived"},
    "now_answerable": {"fr": "Les répondants peuvent répondre maintenant.", "en": "Respondents can answer now."},
    "now_not_answerable": {
        "fr": "Les répondants voient maintenant la page « {title} » (statut HTTP {status}).",
        "en": "Respondents now see the page “{title}” (HTTP status {status}).",
    },
    "window_opens": {"fr": "Réponses reçues à partir du", "en": "Answers taken from"},
    "window_closes": {"fr": "Réponses reçues jusqu’au", "en": "Answers taken until"},
    "mission_dates": {
        "fr": "Mission : du {start} au {end} inclus. Ses dates bornent celles du questionnaire.",
        "en": "Mission: from {start} to {end} included. Its dates bound the questionnaire’s.",
    },
    "mission_dates_from": {
        "fr": "Mission : à partir du {start}. Ses dates bornent celles du questionnaire.",
        "en": "Mission: from {start}. Its dates bound the questionnaire’s.",
    },
    "mission_dates_until": {
        "fr": "Mission : jusqu’au {end} inclus. Ses dates bornent celles du questionnaire.",
        "en": "Mission: until {end} included. Its dates bound the questionnaire’s.",
    },
    "action_open": {"fr": "Ouvrir aux répondants", "en": "Open to respondents"},
    "action_reopen": {"fr": "Rouvrir", "en": "Reopen"},
    "action_close": {"fr": "Clore", "en": "Close"},
    "action_archive": {"fr": "Archiver", "en": "Archive"},
    "action_unarchive": {"fr": "Désarchiver (clos)", "en": "Unarchive (closed)"},
    "state_changed": {"fr": "État : {before} → {after}.", "en": "State: {before} → {after}."},
    "dates_title": {"fr": "Dates d’ouverture et de clôture", "en": "Opening and closing dates"},
    "dates_hint": {
        "fr": "Facultatives, à l’heure de {zone}. Une date de clôture seule vaut jusqu’à la fin de ce jour. Un "
              "questionnaire commencé avant la clôture peut encore être envoyé pendant {minutes} minutes.",
        "en": "Optional, in {zone} time. A closing date alone lasts until the end of that day. A questionnaire "
              "started before it closed can still be sent for {minutes} minutes.",
    },
    "opens_at": {"fr": "Ouverture", "en": "Opens"},
    "closes_at": {"fr": "Clôture", "en": "Closes"},
    "save_dates": {"fr": "Enregistrer les dates", "en": "Save the dates"},
    "dates_saved": {"fr": "Dates enregistrées.", "en": "Dates saved."},
    "branding_title": {"fr": "En-tête des répondants (mission)", "en": "Respondents’ header (mission)"},
    "branding_hint": {
        "fr": "Le nom, le logo et les couleurs de la collectivité, en tête des pages des répondants et du PDF, pour "
              "tous les questionnaires de la mission « {mission} ». Le texte doit contraster d’au moins 4,5:1 avec "
              "le fond (WCAG AA).",
        "en": "The local government’s name, logo and colours, at the top of respondents’ pages and of the PDF, for "
              "every questionnaire of the mission “{mission}”. The text must contrast at least 4.5:1 with the "
              "background (WCAG AA).",
    },
    "branding_name": {"fr": "Nom affiché", "en": "Name shown"},
    "branding_background": {"fr": "Couleur de fond", "en": "Background colour"},
    "branding_text": {"fr": "Couleur du texte", "en": "Text colour"},
    "branding_logo": {"fr": "Logo", "en": "Logo"},
    "branding_logo_hint": {
        "fr": "PNG ou JPEG, 1 Mo et 4000 × 4000 pixels au plus (les SVG sont refusés). Laissez vide pour garder le "
              "logo actuel.",
        "en": "PNG or JPEG, at most 1 MB and 4000 × 4000 pixels (SVG files are refused). Leave empty to keep the "
              "current logo.",
    },
    "branding_remove_logo": {"fr": "Retirer le logo", "en": "Remove the logo"},
    "branding_save": {"fr": "Enregistrer l’en-tête", "en": "Save the header"},
    "branding_saved": {"fr": "En-tête enregistré.", "en": "Header saved."},
    "branding_current_logo": {"fr": "Logo actuel", "en": "Current logo"},
    "publish_refused": {"fr": "Refusé : {reason}", "en": "Refused: {reason}"},
}
