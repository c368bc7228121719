"""The risk report of an export: `rapport-anonymisation.json`, and the lines the staff job page shows.  PURE.

One dictionary, written as JSON into every export zip and read back by the job page: the parameters; records in,
out and suppressed; the level chosen per quasi-identifier; k and ℓ achieved; the equivalence classes; the
prosecutor risk before and after; free-text detections by type; and the verdict — anonymised or pseudonymised —
with the three G29 criteria answered one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.disclosure.profile import RISK_THRESHOLD, Profile
from survey.disclosure.protect import Protected
from survey.disclosure.risk import Risk, verdict
from survey.disclosure.roles import FREE_TEXT, IDENTIFIER, QUASI, SENSITIVE, Policy

REPORT_FILE = "rapport-anonymisation.json"
INFORMATION_LOSS = "normalised certainty penalty (NCP) over the observed values, suppressed records costing 1"


def _risk(risk: Risk) -> dict[str, Any]:
    return {"records": risk.records, "equivalence_classes": risk.classes,
            "mean_class_size": round(risk.records / risk.classes, 2) if risk.classes else None,
            "smallest_class": risk.smallest, "sample_uniques": risk.uniques,
            "max_prosecutor_risk": round(risk.highest, 4), "mean_prosecutor_risk": round(risk.mean, 4),
            "share_above_threshold": round(risk.above_threshold, 4)}


def risk_report(protected: Protected, profile: Profile, policy: Policy, *, include_free_text: bool,
                detections: Mapping[str, int], repeat_rows: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """The report of one export (`repeat_rows`: each repeat group's items before and after suppression)."""
    quasi, sensitive = policy.having(QUASI), policy.having(SENSITIVE)
    after = protected.after
    k_achieved = after.smallest if quasi else None
    scrubbed = include_free_text and bool(policy.having(FREE_TEXT) or any(FREE_TEXT in r.values()
                                                                          for r in policy.repeats.values()))
    return {
        "parameters": {**profile.as_dict(), "information_loss_measure": INFORMATION_LOSS,
                       "free_text": "scrubbed" if include_free_text else "dropped"},
        "records": {"in": protected.records_in, "out": protected.records_in - protected.suppressed,
                    "suppressed": protected.suppressed,
                    "suppressed_percent": round(100 * protected.suppressed / protected.records_in, 2)
                    if protected.records_in else 0.0},
        "repeat_groups": {name: {"in": before, "out": out} for name, (before, out) in repeat_rows.items()},
        "roles": {"identifier_dropped": policy.having(IDENTIFIER), "quasi_identifiers": quasi,
                  "sensitive": sensitive, "free_text": policy.having(FREE_TEXT)},
        "levels": protected.levels,
        "k_achieved": k_achieved,
        "l_achieved": protected.l_achieved,
        "information_loss": round(protected.loss, 4),
        "search": {"nodes_evaluated": protected.evaluated, "k_minimal_nodes": protected.candidates},
        "risk_threshold": RISK_THRESHOLD,
        "risk_before": _risk(protected.before),
        "risk_after": _risk(after),
        "free_text_detections": dict(detections),
        **verdict(profile, k_achieved, protected.l_achieved, len(quasi), len(sensitive), scrubbed),
    }
