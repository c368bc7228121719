"""Who may do what: staff roles and their permissions, kept as data.  PURE."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Staff roles. Respondents have none: they never log in."""

    ADMIN = "admin"
    EVALUATOR = "evaluator"
    INTERVIEWER = "interviewer"
    CONSULTANT = "consultant"


class Action(StrEnum):
    VIEW_QUESTIONNAIRES = "view_questionnaires"  # staff home, versions, counts
    VIEW_RESULTS = "view_results"  # the summary page
    DOWNLOAD = "download"  # anonymised exports and small-cell-protected tables (the PDF)
    UNLOCK_LOGINS = "unlock_logins"  # lift a login lock after too many failed passwords
    RAW_EXPORT = "raw_export"  # an export with identifiers kept: admins only, with a reason, in the audit log
    READ_AUDIT = "read_audit"  # the audit log: who took what away, when and why
    # Individual responses: list, open, mark as test data, correct, delete (each change audited). Consultants get
    # anonymised data only, never one person's answers; interviewers collect, they do not edit.
    MANAGE_RESPONSES = "manage_responses"
    # Conduct interviews of their missions' grids, and enter questionnaires answered on paper or by telephone.
    CONDUCT_INTERVIEWS = "conduct_interviews"
    # The analysis of their missions' interview grids: framework matrix, quotes per code, code frequencies and the
    # grid's export — pseudonymised unless the member may also conduct interviews (and so reads notes as typed).
    ANALYSE_INTERVIEWS = "analyse_interviews"
    # Recode a grid's codebook in place (rename, merge, split a code; every tagged passage follows), audited.
    RECODE_INTERVIEWS = "recode_interviews"
    # Upload questionnaires from the staff pages, open, close and archive them, set their dates and their mission's
    # branding (name, logo, colours). Consultants and interviewers use what is published; they do not publish.
    PUBLISH = "publish"
    # Personal invitations: import contact lists, send invitations and reminders, follow who responded, revoke a link.
    # Whoever has it reads e-mail addresses, never which response is whose (README "Invitations").
    MANAGE_INVITATIONS = "manage_invitations"


# What an evaluator or a consultant does on their missions; the service's own administration is left out.
_MISSION_WORK = frozenset({Action.VIEW_QUESTIONNAIRES, Action.VIEW_RESULTS, Action.DOWNLOAD,
                           Action.ANALYSE_INTERVIEWS})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.EVALUATOR: _MISSION_WORK | {Action.MANAGE_RESPONSES, Action.CONDUCT_INTERVIEWS, Action.RECODE_INTERVIEWS,
                                     Action.PUBLISH, Action.MANAGE_INVITATIONS},
    Role.CONSULTANT: _MISSION_WORK,
    # Interviewers collect answers (the public form, interviews, paper and telephone entry); they take no data away.
    Role.INTERVIEWER: frozenset({Action.VIEW_QUESTIONNAIRES, Action.CONDUCT_INTERVIEWS}),
}


@dataclass(frozen=True)
class StaffMember:
    """A logged-in member of staff and the missions they work on."""

    id: int
    email: str
    role: Role
    missions: frozenset[str]

    @property
    def sees_all_missions(self) -> bool:
        return self.role is Role.ADMIN

    def can(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]

    @property
    def can_view_results(self) -> bool:
        return self.can(Action.VIEW_RESULTS)

    def works_on(self, mission_id: str) -> bool:
        return self.sees_all_missions or mission_id in self.missions
