"""Finding 10: what the browser may run, load and frame, and real 404s for paths no route answers.

The attack: a page without a Content-Security-Policy, X-Frame-Options or nosniff can be framed by another
site (clickjacking) and runs whatever script an injection gets into it; and `/data/…` or
`/language/..%2f..` paths that match no route came back as the index page with 200 (anonymously for
/language/), so a scanner took them for content. Here every answer carries the headers, a real Chromium
runs every page under the policy with no violation, and unrouted paths are 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dash
import psycopg
import pytest
from auth_client import User, make_users, running_app, session_secret, signed_in
from seed_sql import seed_small_community
from served_app import chromium, serving

from gridgov.access import LANDING

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    with running_app(db_url, tile_url="http://{s}.tiles.intranet/{z}/{x}/{y}.png") as built:
        yield built


def _policy(header: str) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in (p.strip() for p in header.split(";"))}


def test_every_answer_forbids_framing_sniffing_and_foreign_scripts(app: dash.Dash, users: dict[str, User]) -> None:
    anonymous = app.server.test_client()
    secretary = signed_in(app, users["shuji"])
    answers = {
        "sign-in page": anonymous.get("/login"),
        "redirect to sign-in": anonymous.get("/wall"),
        "401 of a data URL": anonymous.get("/data/special_groups.json"),
        "a page": secretary.get("/wall"),
        "a data URL": secretary.get("/data/special_groups.json"),
        "a 403": secretary.get("/admin"),
        "an asset": anonymous.get("/assets/gridgov.css"),
    }
    for what, response in answers.items():
        assert response.headers.get("X-Frame-Options") == "DENY", what
        assert response.headers.get("X-Content-Type-Options") == "nosniff", what
        csp = _policy(response.headers.get("Content-Security-Policy", ""))
        assert csp.get("frame-ancestors") == "'none'", what
        assert csp.get("object-src") == "'none'", what
        scripts = csp.get("script-src", "").split()
        assert scripts[0] == "'self'" and all(s == "'self'" or s.startswith("'nonce-") for s in scripts), (what, scripts)
        assert "'unsafe-eval'" not in csp.get("script-src", "") and "*" not in csp.get("script-src", ""), what
    # tiles may come from the configured tile server, and from nowhere else outside
    assert "http://*.tiles.intranet" in _policy(answers["a page"].headers["Content-Security-Policy"])["img-src"]


def test_the_nonce_is_new_on_every_page_and_on_its_inline_script(app: dash.Dash, users: dict[str, User]) -> None:
    secretary = signed_in(app, users["shuji"])
    nonces = []
    for _ in range(2):
        page = secretary.get("/wall")
        nonce = _policy(page.headers["Content-Security-Policy"])["script-src"].split("'nonce-")[1].rstrip("'")
        assert f'<script nonce="{nonce}"' in page.get_data(as_text=True)  # Dash's renderer, the one inline script
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.parametrize(
    "path",
    ["/language/..%2f..", "/language/..%2f..%2fetc%2fpasswd", "/language/zh/extra", "/assets/../gridgov/settings.py"],
)
def test_unrouted_public_paths_are_404_for_anyone(app: dash.Dash, path: str) -> None:
    response = app.server.test_client().get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert "_dash-config" not in response.get_data(as_text=True)  # not Dash's index page


@pytest.mark.parametrize("path", ["/data/", "/data/nothing", "/data/special_groups", "/data/a/b/c.json", "/_dash-nothing"])
def test_unrouted_data_paths_are_404_when_signed_in(app: dash.Dash, users: dict[str, User], path: str) -> None:
    response = signed_in(app, users["shuji"]).get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert "_dash-config" not in response.get_data(as_text=True)


@pytest.mark.browser
def test_every_page_runs_under_the_policy_without_a_violation(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    users = make_users(db_url)
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret()}
    with serving(env, ARTIFACTS / "serve_csp.log") as url, chromium() as browser:
        for user in users.values():
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            violations: list[str] = []
            page.on("console", lambda m, v=violations: v.append(m.text) if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e, v=violations: v.append(f"page error: {e}"))
            page.goto(url + "login")
            page.locator("input[name=username]").fill(user.username)
            page.locator("input[name=password]").fill(user.password)
            page.locator("button[type=submit]").click()
            landing = LANDING[user.role]
            page.wait_for_url(url + landing.lstrip("/"))
            # the page is drawn by Dash's scripts: they ran under the policy
            page.locator("header h1, #wall-title, .gg-wall").first.wait_for(timeout=30_000)
            page.wait_for_load_state("networkidle")
            reported = page.evaluate(
                "() => new Promise(r => { const seen = []; document.addEventListener("
                "'securitypolicyviolation', e => seen.push(e.violatedDirective + ' ' + e.blockedURI));"
                " setTimeout(() => r(seen), 500); })"
            )
            assert violations == [] and reported == [], (user.username, violations, reported)
            page.close()
