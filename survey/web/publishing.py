"""The respondent's side of publishing: the one guard the answering routes call, the polite page it draws when a
questionnaire takes no answers, and the mission's logo and header colours (served here, never inline: the content
security policy allows no inline style)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.aggregate import format_date
from survey.messages import translate
from survey.publishing import ENDED, Availability, availability
from survey.web.answering import served_language
from survey.web.pages import PathId, Services, ServicesDep, render, request_language


def local_moment(moment: dt.datetime, services: Services, language: str) -> str:
    """A moment as the respondent reads it, in the service's time zone: « 15/06/2026 à 18:00 », the time left out
    at midnight."""
    local = moment.astimezone(services.settings.zone)
    day = format_date(local.date(), language)
    if local.time() == dt.time():
        return day
    return translate("moment_at", language, day=day, time=local.strftime("%H:%M"))


def respondent_gate(request: Request, services: Services, questionnaire_id: str,
                    started: dt.datetime | float | None = None) -> Response | None:
    """None when the questionnaire takes answers now; else the polite page saying why, with its status.

    `started`: when the respondent's form began (a datetime or a Unix time), None for a new form; a form started
    before the questionnaire closed may still be sent for `close_grace_minutes`. A questionnaire stored before
    publishing existed, or loaded from the folder, is open: this lets it through. Unknown ids are left to the
    caller (its 404)."""
    publication = services.store.publication(questionnaire_id)
    if publication is None:
        return None
    if isinstance(started, int | float):
        started = dt.datetime.fromtimestamp(started, dt.UTC)
    now = dt.datetime.now(dt.UTC)
    found = availability(publication, now, services.settings.zone, started=started,
                         grace=dt.timedelta(minutes=services.settings.close_grace_minutes))
    if found.answerable:
        return None
    return closed_page(request, services, questionnaire_id, found, late=started is not None)


def closed_page(request: Request, services: Services, questionnaire_id: str, found: Availability, *,
                late: bool = False) -> Response:
    """The page a respondent sees instead of the form, in their language (the questionnaire's own when it does not
    have theirs); `late`: answers were posted, and are not recorded."""
    loaded = services.store.current(questionnaire_id)
    if loaded is None:
        raise NotFoundException()
    language = served_language(loaded.questionnaire, request_language(request, loaded.questionnaire.language))
    from survey.web.respond import localised  # the respondent's module imports this one

    questionnaire = localised(services.store, loaded.version_id, language)
    moment = found.opens if found.reason != ENDED else found.closes
    body_key = f"closed_body_{found.reason}"
    if found.reason == ENDED and moment is None:
        body_key = "closed_body_closed_undated"
    body = translate(body_key, language, moment=local_moment(moment, services, language) if moment else "")
    response = render(request, "respond_closed.html", status=found.status, language=language,
                      questionnaire=questionnaire, title=translate(f"closed_title_{found.reason}", language),
                      body=body, late=late)
    if found.reason == "not_yet_open" and found.opens is not None:
        wait = (found.opens - dt.datetime.now(dt.UTC)).total_seconds()
        response.headers["Retry-After"] = str(max(1, int(wait)))
    return response


def branding_css(background: str, text: str) -> str:
    """The stylesheet of a mission's header: colours only, already checked as `#rrggbb` (survey/publishing.py)."""
    return (f".site-header.branded{{background:{background};color:{text};border-bottom-color:{text}}}\n"
            f".site-header.branded a,.site-header.branded .brand-name{{color:{text}}}\n")


class BrandingController(Controller):
    """The mission's logo and header colours, for respondents' pages (public, like the pages themselves)."""

    path = "/brand/{questionnaire_id:str}"

    @get("/logo.png", sync_to_thread=True)
    def logo(self, services: ServicesDep, questionnaire_id: PathId) -> Response[bytes]:
        """The logo, a PNG re-encoded when it was uploaded; cached a day (its URL changes with it)."""
        branding = services.store.branding_for(questionnaire_id)
        if branding is None or not branding.logo:
            raise NotFoundException()
        return Response(branding.logo, media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})

    @get("/style.css", sync_to_thread=True)
    def style(self, services: ServicesDep, questionnaire_id: PathId) -> Response[str]:
        """The header's colours."""
        branding = services.store.branding_for(questionnaire_id)
        if branding is None or not branding.background:
            raise NotFoundException()
        return Response(branding_css(branding.background, branding.text_colour), media_type="text/css",
                        headers={"Cache-Control": "public, max-age=86400"})
