"""A page drawn with blank questions' HTML kept from earlier respondents is the page drawn from scratch."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from survey.store import Store
from survey.web import answering
from tests.conftest import action_of, controls_of, make_client, post_form

FIXTURES = Path(__file__).parent / "fixtures" / "logic"
URL = "/s/logique"

# Journeys through the logic fixture: skip logic, a cascade filtered by the commune, piping, errors, English.
JOURNEYS = [
    [[("accord", "1"), ("a_vote", "oui")],  # opens nb_projets on the same page, without JavaScript
     [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "3")],  # page 2, whose note pipes the answer
     [("commune", "mareuil")],  # quartier missing: the page comes back with an error and the filtered options
     [("commune", "mareuil"), ("quartier", "bourg")]],
    [[("accord", "1"), ("a_vote", "oui")],
     [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "9")],  # breaks the constraint
     [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "2")],
     [("commune", "saint-aubin")]],
    [[("accord", "1"), ("a_vote", "non")]],
]


@pytest.fixture
def client(sqlite_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(sqlite_store, tmp_path, FIXTURES) as test_client:
        yield test_client


def _without_tokens(html: str) -> str:
    """The page with its per-respondent secrets (the form's key in its URL, the CSRF token) blanked out."""
    html = re.sub(r'/f/[A-Za-z0-9_-]+', '/f/KEY', html)
    html = re.sub(r'name="form" value="[^"]*"', 'name="form" value=""', html)
    return re.sub(r'name="_csrf_token" value="[^"]*"', 'name="_csrf_token" value=""', html)


def _shown(html: str) -> str:
    return re.search(r'name="shown" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]


def _walk(client: TestClient, journey: list[list[tuple[str, str]]], language: str, *, cold: bool) -> list[str]:
    """The pages of one journey, each drawn from scratch (`cold`) or with whatever the cache holds."""
    if cold:
        answering.PAGE_CACHE = answering.PageCache()
    client.cookies.clear()  # a new respondent: this browser's earlier form is not resumed
    page = client.get(f"{URL}?lang={language}").text
    pages = [_without_tokens(page)]
    for fields in journey:
        if cold:
            answering.PAGE_CACHE = answering.PageCache()
        data = [*controls_of(page), ("shown", _shown(page)), ("action", "next"), *fields]
        response = post_form(client, action_of(page), data)  # the redirect followed: the page shown next
        page = response.text
        pages.append(f"{response.status_code}\n{_without_tokens(page)}")
    return pages


def test_pages_drawn_from_html_kept_from_other_respondents_equal_pages_drawn_from_scratch(client: TestClient) -> None:
    walks = [(journey, language) for language in ("fr", "en") for journey in JOURNEYS]
    expected = [_walk(client, journey, language, cold=True) for journey, language in walks]
    assert "voté pour <span data-pipe=\"nb_projets\">3</span>" in expected[0][2]  # the journeys reach page 2
    assert "<span data-pipe=\"nb_projets\">2</span>" in expected[1][3]
    answering.PAGE_CACHE = answering.PageCache()
    for _ in range(2):  # the second time round, every blank question comes from the cache
        for (journey, language), pages in zip(walks, expected, strict=True):
            assert _walk(client, journey, language, cold=False) == pages


def test_an_answer_or_an_error_is_never_served_from_another_respondents_page(client: TestClient) -> None:
    answering.PAGE_CACHE = answering.PageCache()
    pages = _walk(client, JOURNEYS[1], "fr", cold=False)
    assert 'value="9"' in pages[2] and "Au plus 5 projets par personne." in pages[2]
    again = _walk(client, JOURNEYS[1], "fr", cold=False)
    assert 'value="9"' not in again[1] and "Au plus 5 projets par personne." not in again[1]
    assert 'id="q-nb_projets" data-question="nb_projets">' in again[1]  # shown, blank


CASCADE = textwrap.dedent("""\
    id: cascade
    version: "1"
    title: Cascade
    privacy_notice: Réponses anonymes.
    pages:
      - id: un
        questions:
          - name: commune
            type: single_choice
            label: Commune
            required: true
            choices:
              - {code: nord, label: Nord}
              - {code: sud, label: Sud}
      - id: deux
        questions:
          - name: quartier
            type: single_choice
            label: Quartier
            choices_from: quartiers.csv
            choice_filter: choice.commune = commune
          - name: ordre
            type: multiple_choice
            label: Ordre
            randomize: true
            choices: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}, {code: d, label: D}]
    """)


def test_a_choice_filter_or_a_shuffled_order_is_never_served_from_another_respondents_page(
        sqlite_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "cascade.yaml").write_text(CASCADE, encoding="utf-8")
    quartiers = "code,label,commune\nport,Le port,nord\nphare,Le phare,nord\nmas,Le mas,sud\n"
    (folder / "quartiers.csv").write_text(quartiers, encoding="utf-8")
    answering.PAGE_CACHE = answering.PageCache()
    with make_client(sqlite_store, tmp_path, folder) as cascade:
        seen = {}
        for commune in ["nord", "sud", "nord", "sud"]:
            cascade.cookies.clear()  # another respondent
            page = cascade.get("/s/cascade").text
            data = [*controls_of(page), ("shown", _shown(page)), ("action", "next"), ("commune", commune)]
            page = post_form(cascade, action_of(page), data).text
            offered = re.findall(r'<div class="option" data-option="(port|phare|mas)"(?! hidden)', page)
            seen.setdefault(commune, []).append(offered)
            order = re.findall(r'data-option="([abcd])"', page)
            seen.setdefault("orders", []).append(tuple(order))
    assert seen["nord"] == [["port", "phare"]] * 2 and seen["sud"] == [["mas"]] * 2
    assert len(set(seen["orders"])) > 1  # each respondent their own order (4 respondents: 1 chance in 13,824 of one)


TWO_PAGES = textwrap.dedent("""\
    id: deux-pages
    version: "1"
    title: Deux pages
    privacy_notice: Réponses anonymes.
    pages:
      - id: un
        questions:
          - name: age
            type: integer
            label: "Âge \ue000 \ue000deadbeef:action\ue001"
            required: true
      - id: deux
        questions:
          - name: avis
            type: long_text
            label: Votre avis
            relevant: age >= 18
    """)


def _logic_answers(html: str) -> str:
    block = re.search(r'<script type="application/json" id="survey-logic">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    return re.search(r'"answers":(\{[^}]*\})', block).group(1)  # type: ignore[union-attr]


def test_a_page_kept_whole_carries_each_respondents_own_key_token_and_answers(
        sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "deux-pages.yaml").write_text(TWO_PAGES, encoding="utf-8")
    drawn: list[str] = []
    real_draw = answering.page_html
    monkeypatch.setattr(answering, "page_html", lambda *a, **k: drawn.append(a[1]) or real_draw(*a, **k))
    answering.PAGE_CACHE = answering.PageCache()
    with make_client(sqlite_store, tmp_path, folder) as app:
        seen = []
        for age in ("30", "45", "60"):
            app.cookies.clear()  # another respondent
            first = app.get("/s/deux-pages").text
            data = [*controls_of(first), ("shown", _shown(first)), ("action", "next"), ("age", age)]
            second = post_form(app, action_of(first), data)
            assert second.status_code == 200
            seen.append((first, second.text, second.url.path, app.cookies.get("csrftoken")))
            data = [*controls_of(second.text), ("shown", _shown(second.text)), ("action", "next"), ("avis", "Bien")]
            thanks = post_form(app, action_of(second.text), data)
            assert thanks.url.path == "/s/deux-pages/merci" and "Merci" in thanks.text
        assert sqlite_store.response_count("deux-pages") == 3
    # Page 1, page 2 and the thank-you page, once each: the other respondents got them from the cache.
    assert drawn == ["respond_page.html", "respond_page.html", "respond_done.html"]
    for (first, second, path, token), age in zip(seen, ("30", "45", "60"), strict=True):
        # The placeholder-looking text of the label is shown as typed, not taken for a hole.
        assert "Âge \ue000 \ue000deadbeef:action\ue001" in first
        assert f'name="_csrf_token" value="{token}"' in first and f'name="_csrf_token" value="{token}"' in second
        assert f'action="{path}"' in second and path.count("/f/") == 1
        assert _logic_answers(second) == f'{{"age":{age}}}'
    assert len({path for _, _, path, _ in seen}) == 3 and len({token for *_, token in seen}) == 3
    # Apart from those values, the three respondents saw the very same pages, as drawn for the first.
    assert len({_without_tokens(re.sub(r'"answers":\{[^}]*\}', "", second)) for _, second, _, _ in seen}) == 1
