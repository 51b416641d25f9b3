"""Who is asking: the signed-in account and its registry Viewer, decided on the server from the signed session.

The session cookie (Flask's, signed with the secret key) carries only the
username, a tag derived from the account's password hash, the CSRF token and
the language. Each request loads the account afresh from the database, so a
removed or disabled account, or a changed password, ends its sessions at once;
the role and grids always come from the database, never from the browser.
"""

from __future__ import annotations

import hmac
import secrets

from flask import g, has_request_context, session

from dashboard.web.appctx import pool
from gridgov import access, accounts
from gridgov.accounts import Account
from gridgov.errors import Forbidden, Unauthenticated
from gridgov.i18n import DEFAULT_LANGUAGE, LANGUAGES
from layers.registry import Viewer

_USER = "user"
_TAG = "tag"
_CSRF = "csrf"
_LANG = "lang"


def current_account() -> Account | None:
    """The signed-in account of this request, or None (loaded once per request)."""
    if not has_request_context():
        return None
    if "gridgov_account" in g:
        cached: Account | None = g.gridgov_account
        return cached
    account = None
    username = session.get(_USER)
    if isinstance(username, str):
        with pool().connection() as conn:
            found = accounts.get(conn, username)
        tag = session.get(_TAG)
        if found and not found.disabled and isinstance(tag, str) and hmac.compare_digest(found.session_tag, tag):
            account = found
        else:  # removed, disabled or a new password since: the session is over
            session.pop(_USER, None)
            session.pop(_TAG, None)
    g.gridgov_account = account
    return account


def require_account() -> Account:
    """The signed-in account, or Unauthenticated (HTTP 401)."""
    account = current_account()
    if account is None:
        raise Unauthenticated("sign in first")
    return account


def viewer_for(account: Account) -> Viewer:
    """The registry Viewer of an account; Forbidden for a role the policy shows no community data (the administrator)."""
    if not access.decide(account.role, access.COMMUNITY_DATA).allowed:
        raise Forbidden("an administrator manages accounts and sees no community data")
    own = access.own_grids_only(account.role)
    return Viewer(account.role, grid_codes=account.grids) if own else Viewer(account.role)


def current_viewer() -> Viewer:
    """The Viewer every data request of this session is answered for."""
    return viewer_for(require_account())


def sign_in(account: Account) -> None:
    """Start a new session for `account` (nothing of the anonymous session but the language is kept)."""
    lang = language()
    session.clear()
    session.permanent = True
    session[_USER] = account.username
    session[_TAG] = account.session_tag
    session[_LANG] = lang
    g.gridgov_account = account


def sign_out() -> None:
    """End the session (the language stays)."""
    lang = language()
    session.clear()
    session[_LANG] = lang
    g.gridgov_account = None


def csrf_token() -> str:
    """The session's CSRF token for forms (made on first use)."""
    token = session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


def csrf_ok(sent: str | None) -> bool:
    """Whether a form sent this session's CSRF token."""
    token = session.get(_CSRF)
    return isinstance(token, str) and isinstance(sent, str) and hmac.compare_digest(token, sent)


def language() -> str:
    """The session's interface language (简体中文 unless switched)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = session.get(_LANG)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Switch the interface language (unknown codes are ignored)."""
    if lang in LANGUAGES:
        session[_LANG] = lang
