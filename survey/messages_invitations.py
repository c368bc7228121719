"""Interface text of invitations — contact files' problems, the staff page, the invitee's pages — in French and
English; merged into `survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

INVITATION_MESSAGES: dict[str, dict[str, str]] = {
    # --- a contact file's problems (survey.contacts.ContactProblem)
    "contacts_where_row": {"fr": "ligne {row}", "en": "row {row}"},
    "contacts_where_column": {"fr": "colonne « {column} »", "en": "column “{column}”"},
    "contacts_too_large": {
        "fr": "le fichier dépasse {max} Mo : découpez la liste en plusieurs fichiers.",
        "en": "the file is larger than {max} MB: split the list into several files.",
    },
    "contacts_too_many": {
        "fr": "plus de {max} personnes : découpez la liste en plusieurs fichiers.",
        "en": "more than {max} people: split the list into several files.",
    },
    "contacts_empty": {
        "fr": "le fichier ne contient aucune personne : une ligne d’en-tête (email, nom…) puis une ligne par personne.",
        "en": "the file lists nobody: a header row (email, name…) then one row per person.",
    },
    "contacts_more_problems": {
        "fr": "plus de {max} problèmes : corrigez ceux-ci et importez à nouveau.",
        "en": "more than {max} problems: fix these and import again.",
    },
    "contacts_not_utf8": {
        "fr": "le fichier n’est pas encodé en UTF-8 : dans le tableur, enregistrez-le au format « CSV UTF-8 ».",
        "en": "the file is not encoded as UTF-8: in the spreadsheet, save it as “CSV UTF-8”.",
    },
    "contacts_blank_column": {
        "fr": "colonne sans nom : donnez-lui un titre ou supprimez-la.",
        "en": "a column without a name: give it a title or delete it.",
    },
    "contacts_repeated_column": {
        "fr": "ce titre est déjà celui de la colonne {first} : gardez une seule colonne.",
        "en": "column {first} already has this title: keep one column.",
    },
    "contacts_no_email": {
        "fr": "aucune colonne d’adresse e-mail : nommez-la « email » (ou « courriel »).",
        "en": "no e-mail address column: name it “email” (or “courriel”).",
    },
    "contacts_two_email_columns": {
        "fr": "deuxième colonne d’adresse e-mail (après « {first} ») : gardez-en une seule.",
        "en": "a second e-mail address column (after “{first}”): keep only one.",
    },
    "contacts_unknown_column": {
        "fr": "n’est ni email, nom ou langue, ni le nom d’une question du questionnaire {questionnaire} : nommez la "
              "colonne comme la question qu’elle pré-remplit (par exemple {hint}) ou supprimez-la.",
        "en": "is neither email, name nor language, nor the name of a question of questionnaire {questionnaire}: name "
              "the column after the question it pre-fills (e.g. {hint}) or delete it.",
    },
    "contacts_not_prefillable": {
        "fr": "une question de type {type} ne peut pas être pré-remplie par une colonne (seulement les questions à "
              "une valeur : choix unique, texte, nombre, date, oui/non…).",
        "en": "a {type} question cannot be pre-filled from a column (only one-value questions: single choice, text, "
              "number, date, yes/no…).",
    },
    "contacts_duplicate": {
        "fr": "l’adresse {email} figure déjà ligne {first} : une seule ligne par personne.",
        "en": "the address {email} is already on row {first}: one row per person.",
    },
    "contacts_missing_email": {"fr": "adresse e-mail manquante.", "en": "the e-mail address is missing."},
    "contacts_bad_email": {
        "fr": "« {email} » n’est pas une adresse e-mail complète (nom@exemple.fr).",
        "en": "“{email}” is not a full e-mail address (name@example.com).",
    },
    "contacts_long_name": {"fr": "le nom dépasse {max} caractères.", "en": "the name is longer than {max} characters."},
    "contacts_bad_language": {
        "fr": "langue « {value} » inconnue : {languages}, ou laissez vide pour celle du questionnaire.",
        "en": "unknown language “{value}”: {languages}, or leave it empty for the questionnaire's own.",
    },
    "contacts_bad_value": {
        "fr": "« {value} » ne convient pas à cette question. {reason}",
        "en": "“{value}” does not suit this question. {reason}",
    },
    "contacts_bad_choice": {
        "fr": "« {value} » ne convient pas à cette question. {reason} Codes : {codes} (ou leurs libellés).",
        "en": "“{value}” does not suit this question. {reason} Codes: {codes} (or their labels).",
    },
    "contacts_control_character": {
        "fr": "la cellule contient un caractère invisible ou mal encodé : retapez-la.",
        "en": "the cell holds an invisible or badly encoded character: type it again.",
    },
    "contacts_formula": {
        "fr": "la cellule commence comme une formule de tableur (=, +, -, @) : exportez les valeurs, pas les formules.",
        "en": "the cell starts like a spreadsheet formula (=, +, -, @): export the values, not the formulas.",
    },
    # --- the staff page
    "invitations_link": {"fr": "Invitations personnelles", "en": "Personal invitations"},
    "invitations_title": {"fr": "Invitations", "en": "Invitations"},
    "invitations_intro": {
        "fr": "Chaque personne de la liste reçoit un lien personnel qui ne permet qu’une réponse. La liste est gardée "
              "à part des réponses : aucune réponse ni aucun export ne désigne la personne qui l’a donnée, et la "
              "liste ne dit que si une réponse a été reçue, ni quand ni laquelle.",
        "en": "Each person on the list gets a personal link that allows one response. The list is kept apart from "
              "the responses: no response and no export names who gave it, and the list only tells whether a "
              "response came, neither when nor which.",
    },
    "invitations_counts": {"fr": "Où en sont les invitations", "en": "Where the invitations stand"},
    "invitations_total": {"fr": "Personnes invitées", "en": "People invited"},
    "invitations_sent": {"fr": "Invitation envoyée", "en": "Invitation sent"},
    "invitations_reminded": {"fr": "Relancées", "en": "Reminded"},
    "invitations_opened": {"fr": "Ont ouvert le questionnaire", "en": "Opened the questionnaire"},
    "invitations_completed": {"fr": "Ont répondu", "en": "Responded"},
    "invitations_revoked": {"fr": "Liens révoqués", "en": "Links revoked"},
    "invitations_import": {"fr": "Importer une liste de contacts", "en": "Import a contact list"},
    "invitations_import_hint": {
        "fr": "Un fichier CSV (UTF-8, séparé par des virgules ou des points-virgules) : une colonne email, "
              "facultativement nom et langue (fr ou en), et des colonnes nommées comme des questions, qui "
              "pré-remplissent leur réponse (la question n’est alors pas posée). Une adresse déjà invitée garde son "
              "lien.",
        "en": "A CSV file (UTF-8, comma- or semicolon-separated): an email column, optionally name and language "
              "(fr or en), and columns named after questions, which pre-fill their answer (the question is then not "
              "asked). An address already invited keeps its link.",
    },
    "invitations_file": {"fr": "Fichier CSV", "en": "CSV file"},
    "invitations_import_button": {"fr": "Importer", "en": "Import"},
    "invitations_problems": {"fr": "Rien n’a été importé : {count} problème(s)",
                             "en": "Nothing was imported: {count} problem(s)"},
    "invitations_no_file": {"fr": "Choisissez un fichier CSV.", "en": "Choose a CSV file."},
    "invitations_send_title": {"fr": "Envoyer", "en": "Send"},
    "invitations_send": {"fr": "Envoyer les invitations ({count} en attente)",
                         "en": "Send the invitations ({count} waiting)"},
    "invitations_remind": {"fr": "Relancer ceux qui n’ont pas répondu ({count})",
                           "en": "Remind those who have not responded ({count})"},
    "invitations_send_hint": {
        "fr": "Les e-mails partent en arrière-plan ; la page du travail montre l’avancement. Les relances ne vont "
              "qu’aux personnes qui n’ont pas répondu et dont le lien n’est pas révoqué.",
        "en": "E-mails go out in the background; the job's page shows how far it got. Reminders go only to people "
              "who have not responded and whose link is not revoked.",
    },
    "invitations_no_smtp": {
        "fr": "L’envoi d’e-mails n’est pas configuré (SURVEY_SMTP_HOST) : copiez les liens avec « survey invite ».",
        "en": "Sending e-mails is not configured (SURVEY_SMTP_HOST): copy the links with “survey invite”.",
    },
    "invitations_list": {"fr": "Les personnes invitées", "en": "The people invited"},
    "invitations_none": {"fr": "Personne n’est encore invité.", "en": "Nobody is invited yet."},
    "invitation_email": {"fr": "Adresse", "en": "Address"},
    "invitation_name": {"fr": "Nom", "en": "Name"},
    "invitation_state": {"fr": "État", "en": "State"},
    "invitation_action": {"fr": "Action", "en": "Action"},
    "invitation_state_waiting": {"fr": "à envoyer", "en": "to send"},
    "invitation_state_sent": {"fr": "envoyée le {day}", "en": "sent on {day}"},
    "invitation_state_reminded": {"fr": "relancée {count} fois", "en": "reminded {count} time(s)"},
    "invitation_state_opened": {"fr": "questionnaire ouvert", "en": "questionnaire opened"},
    "invitation_state_completed": {"fr": "a répondu", "en": "responded"},
    "invitation_state_revoked": {"fr": "lien révoqué", "en": "link revoked"},
    "invitation_revoke": {"fr": "Révoquer le lien de {email}", "en": "Revoke {email}'s link"},
    "invitation_revoke_short": {"fr": "Révoquer", "en": "Revoke"},
    "invitations_done_imported": {"fr": "{added} personne(s) ajoutée(s), {kept} déjà dans la liste.",
                                  "en": "{added} person(s) added, {kept} already on the list."},
    "invitations_done_revoked": {"fr": "Lien révoqué : il ne permet plus de répondre.",
                                 "en": "Link revoked: it no longer allows a response."},
    "job_kind_invite": {"fr": "Envoi des invitations", "en": "Sending the invitations"},
    "job_kind_remind": {"fr": "Envoi des relances", "en": "Sending the reminders"},
    "invitations_job_progress": {"fr": "{done} e-mail(s) envoyé(s) sur {total}",
                                 "en": "{done} of {total} e-mail(s) sent"},
    "invitations_job_failed": {
        "fr": "Le serveur d’e-mails a refusé l’envoi ({error}) : vérifiez les réglages SURVEY_SMTP_*. Les e-mails déjà "
              "partis sont notés ; relancez l’envoi pour les autres.",
        "en": "The mail server refused to send ({error}): check the SURVEY_SMTP_* settings. The e-mails already sent "
              "are recorded; start the sending again for the others.",
    },
    # --- the invitee's pages
    "invitation_used_title": {"fr": "Vous avez déjà répondu", "en": "You have already responded"},
    "invitation_used": {
        "fr": "Votre réponse a bien été enregistrée : ce lien personnel ne permet qu’une réponse. Merci de votre "
              "participation !",
        "en": "Your response was recorded: this personal link allows one response. Thank you for taking part!",
    },
    "invitation_revoked_title": {"fr": "Ce lien n’est plus valable", "en": "This link is no longer valid"},
    "invitation_revoked": {
        "fr": "Ce lien personnel a été désactivé par l’équipe qui mène l’enquête. Si vous pensez qu’il s’agit d’une "
              "erreur, répondez à l’e-mail d’invitation.",
        "en": "This personal link was switched off by the team running the survey. If you think this is a mistake, "
              "reply to the invitation e-mail.",
    },
    "invitation_unknown_title": {"fr": "Lien inconnu", "en": "Unknown link"},
    "invitation_unknown": {
        "fr": "Ce lien ne correspond à aucune invitation. Vérifiez qu’il a été copié en entier depuis l’e-mail.",
        "en": "This link matches no invitation. Check that it was copied whole from the e-mail.",
    },
}
