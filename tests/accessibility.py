"""axe-core in a Playwright page: the WCAG 2.1 A/AA rules it breaks, as one readable line each.

The axe-core script comes with the `axe-playwright-python` package (a test dependency), so no download happens at
test time; it is evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not block.
"""

from __future__ import annotations

from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page: Any) -> list[str]:  # a playwright.sync_api.Page
    """Every axe-core violation on the page as it is now: rule, impact, help and the first elements concerned."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                            " resultTypes: ['violations']})", WCAG_TAGS)
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            for violation in results["violations"]]


# Injected before any of the page's scripts (the browser adds it, so the CSP allows it): every report of a blocked
# script, style or image, kept in `window.cspViolations`.
CSP_WATCH = ("window.cspViolations = [];"
             "document.addEventListener('securitypolicyviolation',"
             " e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")


def watch_csp(page: Any) -> None:  # a playwright.sync_api.Page
    """Record the page's Content-Security-Policy reports from its next navigation on (`csp_reports`)."""
    page.add_init_script(CSP_WATCH)


def csp_reports(page: Any) -> list[str]:
    """The CSP reports of the page as it is now (directive and blocked URI), since `watch_csp`."""
    return page.evaluate("window.cspViolations")


def page_problems(page: Any) -> list[str]:
    """What the page as it is now breaks: axe-core's violations, then its CSP reports."""
    return axe_violations(page) + [f"CSP {report}" for report in csp_reports(page)]
