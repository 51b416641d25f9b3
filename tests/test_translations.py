"""One way to translate: every text of the catalogue in every language, and the page itself in the session's.

The catalogue (gridgov.i18n) holds the interface's words and, once the layers
are loaded, the words of every layer; a key missing in one language would show
the Chinese text on an English page, and a placeholder named differently would
fail only when that text is shown. The page's `<html lang>` (which font and
hyphenation the browser picks, and what a screen reader speaks) and its title
follow the language switch.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import dash
import psycopg
import pytest
from auth_client import User, make_users, session_secret, signed_in
from playwright.sync_api import expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_dashboard_browser import sign_in

from gridgov.i18n import CATALOGUE, DEFAULT_LANGUAGE, LANGUAGES, text
from layers import registry

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# a language picked in code rather than in the catalogue: `lang == "zh"`, `"zh" if …`, a label_zh/label_en pair
_CHOICE = re.compile(r"""lang\s*[!=]=\s*["'](zh|en)["']|["'](zh|en)["']\s+if\b|\b(label|title|note)_(zh|en)\b""")


def _fields(template: str) -> set[str]:
    """The names of a text's placeholders ({t.month} and {t:%H:%M} are both `t`)."""
    return {re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture(scope="module", autouse=True)
def _layers_loaded() -> None:
    registry.available()  # each layer adds its words as it registers


def test_every_key_has_a_text_in_every_language() -> None:
    keys = set(CATALOGUE[DEFAULT_LANGUAGE])
    for lang in LANGUAGES:
        assert set(CATALOGUE[lang]) == keys, lang
        assert all(CATALOGUE[lang][key].strip() for key in keys), lang


def test_the_placeholders_agree_between_languages() -> None:
    differ = {
        key: {lang: sorted(_fields(CATALOGUE[lang][key])) for lang in LANGUAGES}
        for key in CATALOGUE[DEFAULT_LANGUAGE]
        if len({frozenset(_fields(CATALOGUE[lang][key])) for lang in LANGUAGES}) > 1
    }
    assert differ == {}


def test_every_layer_word_it_names_is_in_the_catalogue() -> None:
    for layer in registry.available():
        legend = layer.legend
        keys = [layer.label, legend.title, *([legend.note] if legend.note else []),
                *(c.label for c in (*layer.columns, *layer.detail_columns)), *(key for _v, key, _c in legend.categories)]
        assert [k for k in keys if k not in CATALOGUE[DEFAULT_LANGUAGE]] == [], layer.name


def test_no_code_picks_a_language_but_the_catalogue() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for package in ("gridgov", "etl", "layers", "api", "dashboard")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _CHOICE.search(line)
    ]
    assert found == []


def test_a_text_is_formatted_with_its_values_and_an_unknown_language_reads_chinese() -> None:
    assert text("list_more", "en", shown=3, total=7) == "The first 3 of 7 (the map shows all)."
    assert text("list_more", "fr", shown=3, total=7) == text("list_more", "zh", shown=3, total=7)


def test_the_served_page_is_in_the_sessions_language(app: dash.Dash, db_url: str) -> None:
    client = signed_in(app, make_users(db_url)["admin"])
    page = client.get("/admin").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "<title>社区网格地图</title>" in page
    client.get("/language/en", headers={"Referer": "http://localhost/admin"})
    page = client.get("/admin").get_data(as_text=True)
    assert '<html lang="en">' in page and "<title>Community grid map</title>" in page
    signed_out = app.server.test_client().get("/login").get_data(as_text=True)  # another session: still Chinese
    assert '<html lang="zh-CN">' in signed_out


@pytest.mark.browser
def test_switching_the_language_turns_the_pages_lang_and_title_in_chromium(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    admin: User = make_users(db_url)["admin"]
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(env, ARTIFACTS / "serve_translations.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "login")
        sign_in(page, admin)
        expect(page).to_have_url(url + "admin")
        expect(page.locator("header h1")).to_have_text("账号与审计")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        expect(page).to_have_title("社区网格地图")

        page.get_by_text("English").click()
        expect(page.locator("header h1")).to_have_text("Accounts and audit")
        assert page.evaluate("document.documentElement.lang") == "en"
        expect(page).to_have_title("Community grid map")

        page.get_by_text("中文").click()
        expect(page.locator("header h1")).to_have_text("账号与审计")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        expect(page).to_have_title("社区网格地图")
