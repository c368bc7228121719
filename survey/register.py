"""The register of processing (registre des activités de traitement, art. 30 GDPR) of one mission.  PURE.

Written from what the platform knows rather than typed by hand, so it cannot drift from the questionnaires: what
is collected (every question, with its type and disclosure role), why (the mission's `purpose`), for how long
(`retention_days` and when it counts from), who receives what (the mission's staff by role, the client's
anonymised deliverables), and the security measures the service applies. French first; `survey register` prints
it as Markdown and the staff page shows the same content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey.codecs import codec
from survey.retention import expiry_date
from survey.schema import Mission, Questionnaire
from survey.schema.localise import text_in

_ROLE_NAMES = {
    "fr": {"identifier": "identifiant direct", "quasi_identifier": "quasi-identifiant", "sensitive": "sensible",
           "free_text": "texte libre (nettoyé des noms à l’export)", "none": "non identifiante",
           None: "à déclarer (`disclosure:`)"},
    "en": {"identifier": "direct identifier", "quasi_identifier": "quasi-identifier", "sensitive": "sensitive",
           "free_text": "free text (names scrubbed on export)", "none": "not identifying",
           None: "to declare (`disclosure:`)"},
}
_STAFF_ROLES = {
    "fr": {"admin": "administrateurs", "evaluator": "évaluateurs", "interviewer": "enquêteurs",
           "consultant": "consultants (données anonymisées)"},
    "en": {"admin": "administrators", "evaluator": "evaluators", "interviewer": "interviewers",
           "consultant": "consultants (anonymised data)"},
}
_TEXT = {
    "fr": {
        "title": "Registre des activités de traitement — {name}", "controller": "Responsable du traitement",
        "contact": "Contact pour l’exercice des droits", "purpose": "Finalité",
        "purpose_missing": "non renseignée — ajoutez `purpose:` au bloc `mission:` du questionnaire",
        "people": "Personnes concernées", "people_text": "les personnes qui répondent aux questionnaires "
        "ci-dessous (habitants, agents, participants), sur la base de leur participation volontaire",
        "data": "Données collectées", "questionnaire": "Questionnaire « {title} » (`{id}`, version {version})",
        "question": "Question", "type": "Type", "role": "Rôle de divulgation",
        "retention": "Durée de conservation",
        "retention_end": "{days} jours après la fin de la mission ({end}), soit jusqu’au {last} ; suppression "
                         "automatique des réponses brutes et des formulaires en cours",
        "retention_each": "{days} jours après l’envoi de chaque réponse ; suppression automatique",
        "retention_none": "non fixée — ajoutez `retention_days:` au bloc `mission:`",
        "recipients": "Destinataires", "recipients_staff": "l’équipe de la mission : {staff}",
        "recipients_client": "{client} : résultats et jeux de données anonymisés (petits effectifs masqués)",
        "nobody": "aucun compte pour l’instant", "security": "Mesures de sécurité",
        "measures": [
            "aucune adresse IP ni empreinte de navigateur enregistrée avec les réponses",
            "accès du personnel par compte nominatif, rôle et mission ; mots de passe hachés (argon2id) ; verrouillage "
            "après échecs de connexion",
            "jetons CSRF sur chaque formulaire ; cookies sécurisés derrière HTTPS",
            "exports anonymisés par défaut (k-anonymat, ℓ-diversité, textes libres nettoyés) ; exports bruts "
            "réservés aux administrateurs, motivés et journalisés",
            "journal d’audit des exports, changements d’état, corrections, suppressions, purges et effacements",
            "liste de contacts des invitations conservée à part des réponses, jamais jointe aux exports",
        ],
        "quotas": "Quotas", "none": "aucun",
    },
    "en": {
        "title": "Register of processing activities — {name}", "controller": "Controller",
        "contact": "Contact for data subjects' rights", "purpose": "Purpose",
        "purpose_missing": "not given — add `purpose:` to the questionnaire's `mission:` block",
        "people": "Data subjects", "people_text": "the people answering the questionnaires below (residents, "
        "agents, participants), on the basis of their voluntary participation",
        "data": "Data collected", "questionnaire": "Questionnaire “{title}” (`{id}`, version {version})",
        "question": "Question", "type": "Type", "role": "Disclosure role",
        "retention": "Retention period",
        "retention_end": "{days} days after the mission ends ({end}), that is until {last}; raw responses and forms "
                         "in progress are then deleted automatically",
        "retention_each": "{days} days after each response is sent; deleted automatically",
        "retention_none": "not set — add `retention_days:` to the `mission:` block",
        "recipients": "Recipients", "recipients_staff": "the mission's team: {staff}",
        "recipients_client": "{client}: results and anonymised datasets (small counts hidden)",
        "nobody": "no account yet", "security": "Security measures",
        "measures": [
            "no IP address or browser fingerprint stored with responses",
            "staff access through personal accounts, roles and missions; hashed passwords (argon2id); lock after "
            "failed sign-ins",
            "CSRF tokens on every form; secure cookies behind HTTPS",
            "anonymised exports by default (k-anonymity, ℓ-diversity, free text scrubbed); raw exports for "
            "administrators only, with a reason, logged",
            "audit log of exports, state changes, corrections, deletions, purges and erasures",
            "invitation contact lists kept apart from responses, never joined to exports",
        ],
        "quotas": "Quotas", "none": "none",
    },
}


@dataclass(frozen=True)
class CollectedItem:
    """One question as the register lists it."""

    name: str
    label: str
    type: str
    role: str


@dataclass(frozen=True)
class Register:
    """The register's content in one language, for Markdown and for the staff page."""

    title: str
    sections: list[tuple[str, str]]  # (heading, text)
    collected: list[tuple[str, list[CollectedItem]]]  # (questionnaire heading, its questions)
    headings: dict[str, str]
    measures: list[str]


def processing_register(mission: Mission, questionnaires: list[Questionnaire], staff: Mapping[str, int],
                        language: str = "fr") -> Register:
    """The register of `mission`, whose current questionnaires are `questionnaires` and whose team counts `staff`
    accounts per role."""
    text = _TEXT.get(language, _TEXT["fr"])
    roles, staff_names = _ROLE_NAMES.get(language, _ROLE_NAMES["fr"]), _STAFF_ROLES.get(language, _STAFF_ROLES["fr"])
    team = ", ".join(f"{count} {staff_names.get(role, role)}" for role, count in sorted(staff.items()) if count)
    recipients = [text["recipients_staff"].format(staff=team or text["nobody"])]
    if mission.client:
        recipients.append(text["recipients_client"].format(client=mission.client))
    sections = [
        (text["controller"], mission.client or mission.name),
        (text["contact"], mission.contact or "—"),
        (text["purpose"], mission.purpose or text["purpose_missing"]),
        (text["people"], text["people_text"]),
        (text["retention"], _retention(mission, text, language)),
        (text["recipients"], " ; ".join(recipients) if language == "fr" else "; ".join(recipients)),
    ]
    collected = []
    for questionnaire in questionnaires:
        title = str(text_in(questionnaire.title, language, questionnaire.language))
        heading = text["questionnaire"].format(title=title, id=questionnaire.id, version=questionnaire.version)
        items = [CollectedItem(q.name, str(text_in(q.label, language, questionnaire.language)), q.type,
                               roles.get(_role(q), roles[None]))
                 for q in questionnaire.all_questions() if codec(q).answered]
        collected.append((heading, items))
    return Register(text["title"].format(name=mission.name), sections, collected, text, list(text["measures"]))


def _role(question) -> str | None:  # noqa: ANN001
    """The question's disclosure role as written, else its type's default (as exports read it)."""
    return question.disclosure.role if question.disclosure is not None else question.kind.disclosure


def _retention(mission: Mission, text: dict, language: str) -> str:
    if mission.retention_days is None:
        return text["retention_none"]
    last = expiry_date(mission)
    if last is None:
        return text["retention_each"].format(days=mission.retention_days)
    fmt = "%d/%m/%Y" if language == "fr" else "%Y-%m-%d"
    return text["retention_end"].format(days=mission.retention_days, end=mission.end.strftime(fmt),  # type: ignore[union-attr]
                                        last=last.strftime(fmt))


def to_markdown(register: Register) -> str:
    """The register as a Markdown document (printed by `survey register`)."""
    lines = [f"# {register.title}", ""]
    for heading, body in register.sections:
        lines += [f"## {heading}", "", body, ""]
    lines += [f"## {register.headings['data']}", ""]
    for heading, items in register.collected:
        lines += [f"### {heading}", "", f"| {register.headings['question']} | {register.headings['type']} | "
                  f"{register.headings['role']} |", "|---|---|---|"]
        lines += [f"| `{item.name}` — {_cell(item.label)} | {item.type} | {item.role} |" for item in items]
        lines.append("")
    lines += [f"## {register.headings['security']}", ""] + [f"- {measure}" for measure in register.measures]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """A label inside a Markdown table cell: one line, no column separator."""
    return " ".join(text.split()).replace("|", "\\|")
