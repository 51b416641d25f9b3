"""The accounts on /admin: the list, add one (its first password shown once), disable, enable, reset the password
(shown once), change the role and its scope, end the sessions; every change through gridgov.account_changes, audited.

A password made here is shown in the answer to the click that made it and
nowhere else: it is not kept in the page's state, the database keeps only its
hash, and the audit row names the account and the administrator, never it.
The scope controls are one per scope field (gridgov.account_changes.FIELDS),
each saying which roles use it, so a new kind of scope needs no change here.

Callbacks (outputs ← inputs, [state]):
    admin-acct-message, admin-accounts (the list), admin-acct-pick.options
        ← admin-acct-add, -set-role, -disable, -enable, -reset, -end (n_clicks)
          [name, role and scope of the new account; the account picked, its new role and scope]
    admin-acct-new-role.value, admin-acct-set-<field>.value ← admin-acct-pick.value (the account's own, to edit)
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboard.admin.common import admin, button, field, message, role_label, said, table, text_of, texts_of
from dashboard.web.appctx import pool
from dashboard.web.session import language
from gridgov import account_changes, accounts, i18n
from gridgov.access import ACCOUNT_ROLES, Role
from gridgov.accounts import Account
from gridgov.errors import InputError
from gridgov.i18n import text

i18n.add({
    "zh": {
        "admin_acct_new": "新建账号", "admin_acct_name": "用户名", "admin_acct_role": "角色",
        "admin_scope_grids": "网格（网格员必填）", "admin_scope_communities": "社区（社区书记必填）",
        "admin_scope_street": "街道（街道干部必填；规划人员可选）", "admin_acct_add": "新建",
        "admin_acct_change": "修改账号", "admin_acct_pick": "选择账号", "admin_acct_set_role": "保存角色与范围",
        "admin_acct_disable": "停用", "admin_acct_enable": "启用", "admin_acct_reset": "重置密码",
        "admin_acct_end": "强制下线",
        "admin_acct_added": "已新建 {user}（{role}）。初始密码：", "admin_acct_reset_done": "已为 {user} 重置密码。新密码：",
        "admin_acct_once": "（只显示这一次，请当面交给本人；关闭或刷新页面后无法再查看）",
        "admin_acct_disabled": "已停用 {user}，其会话已全部结束。", "admin_acct_enabled": "已启用 {user}。",
        "admin_acct_role_set": "{user} 现为{role}，范围：{scope}。", "admin_acct_ended": "已结束 {user} 的 {n} 个会话。",
        "admin_acct_no_pick": "请先选择账号。", "col_scope": "范围",
    },
    "en": {
        "admin_acct_new": "New account", "admin_acct_name": "Username", "admin_acct_role": "Role",
        "admin_scope_grids": "Grids (a grid leader's, required)",
        "admin_scope_communities": "Communities (a secretary's, required)",
        "admin_scope_street": "Street (a street officer's, required; a planner's, optional)", "admin_acct_add": "Create",
        "admin_acct_change": "Change an account", "admin_acct_pick": "Pick an account",
        "admin_acct_set_role": "Save role and scope", "admin_acct_disable": "Disable", "admin_acct_enable": "Enable",
        "admin_acct_reset": "Reset password", "admin_acct_end": "Sign out everywhere",
        "admin_acct_added": "Created {user} ({role}). First password: ",
        "admin_acct_reset_done": "New password for {user}: ",
        "admin_acct_once": " (shown only this once: hand it over in person; it cannot be seen again)",
        "admin_acct_disabled": "Disabled {user}; all their sessions ended.", "admin_acct_enabled": "Enabled {user}.",
        "admin_acct_role_set": "{user} is now {role}, scope: {scope}.", "admin_acct_ended": "Ended {n} session(s) of {user}.",
        "admin_acct_no_pick": "Pick an account first.", "col_scope": "Scope",
    },
})

_BUTTONS = ("admin-acct-add", "admin-acct-set-role", "admin-acct-disable", "admin-acct-enable", "admin-acct-reset",
            "admin-acct-end")
_ROLES = [r for r in Role if r in ACCOUNT_ROLES]


def _scope_text(account: Account) -> str:
    return "; ".join(", ".join(values) for values in account_changes.scope_of(account).values())


def _rows(found: list[Account], lang: str) -> html.Table:
    cols = ("col_username", "col_role", "col_scope", "col_created", "col_disabled")
    rows = [
        [a.username, role_label(a.role, lang), _scope_text(a), f"{a.created_at:%Y-%m-%d %H:%M}",
         text("yes" if a.disabled else "no", lang)]
        for a in found
    ]
    return table([text(c, lang) for c in cols], rows, "gg-accounts")


def _pick_options(found: list[Account]) -> list[dict[str, str]]:
    return [{"label": a.username, "value": a.username} for a in found]


def _scope_controls(prefix: str, lang: str, options: dict[str, list[dict[str, str]]]) -> list[Component]:
    return [
        field(f"admin_scope_{name}", lang,
              dcc.Dropdown(id=f"{prefix}-{name}", options=options[name], multi=account_changes.FIELDS[name].many))
        for name in account_changes.FIELDS
    ]


def section(lang: str) -> html.Div:
    """The accounts: the list, the form to add one and the one to change one."""
    with pool().connection() as conn:
        found = accounts.list_accounts(conn)
        options = {
            name: [{"label": label, "value": value} for value, label in account_changes.choices(conn, name)]
            for name in account_changes.FIELDS
        }
    roles = [{"label": role_label(r, lang), "value": r.value} for r in _ROLES]

    return html.Div(
        [
            html.H2(text("accounts", lang), id="admin-accounts-title"),
            html.Div(_rows(found, lang), id="admin-accounts"),
            html.H3(text("admin_acct_new", lang)),
            html.Div(
                [
                    field("admin_acct_name", lang, dcc.Input(id="admin-acct-name", type="text", maxLength=64)),
                    field("admin_acct_role", lang, dcc.Dropdown(id="admin-acct-role", options=roles, clearable=False)),
                    *_scope_controls("admin-acct-add", lang, options),
                    button("admin_acct_add", lang, "admin-acct-add"),
                ],
                className="gg-admin-form",
            ),
            html.H3(text("admin_acct_change", lang)),
            html.Div(
                [
                    field("admin_acct_pick", lang, dcc.Dropdown(id="admin-acct-pick", options=_pick_options(found))),
                    field("admin_acct_role", lang, dcc.Dropdown(id="admin-acct-new-role", options=roles, clearable=False)),
                    *_scope_controls("admin-acct-set", lang, options),
                    button("admin_acct_set_role", lang, "admin-acct-set-role"),
                    button("admin_acct_disable", lang, "admin-acct-disable"),
                    button("admin_acct_enable", lang, "admin-acct-enable"),
                    button("admin_acct_reset", lang, "admin-acct-reset"),
                    button("admin_acct_end", lang, "admin-acct-end"),
                ],
                className="gg-admin-form",
            ),
            message("admin-acct-message"),
        ],
        className="gg-admin-section gg-admin-accounts",
    )


def _scope(values: tuple[Any, ...]) -> dict[str, list[str]]:
    return {name: texts_of(value, name) for name, value in zip(account_changes.FIELDS, values, strict=True)}


def _once(intro: str, password: str, lang: str) -> list[Any]:
    """A password shown this once, in its own element, to be copied."""
    return [intro, html.Code(password, className="gg-once-password"), text("admin_acct_once", lang)]


def _act(trigger: str, by: str, lang: str, fields: dict[str, Any]) -> Any:
    """Do what the button `trigger` asks with the form's `fields`; the message saying what was done."""
    with pool().connection() as conn:
        if trigger == "admin-acct-add":
            made, password = account_changes.add(conn, text_of(fields["name"], "username").strip(),
                                                 role=text_of(fields["role"], "role"), scope=fields["add_scope"], by=by)
            return _once(text("admin_acct_added", lang, user=made.username, role=role_label(made.role, lang)),
                         password, lang)
        user = text_of(fields["pick"], "account")
        if not user:
            raise InputError(text("admin_acct_no_pick", lang))
        if trigger == "admin-acct-set-role":
            changed = account_changes.set_role(conn, user, role=text_of(fields["new_role"], "role"),
                                               scope=fields["set_scope"], by=by)
            return text("admin_acct_role_set", lang, user=user, role=role_label(changed.role, lang),
                        scope=_scope_text(changed) or "—")
        if trigger in ("admin-acct-disable", "admin-acct-enable"):
            account_changes.set_disabled(conn, user, trigger == "admin-acct-disable", by=by)
            return text("admin_acct_disabled" if trigger == "admin-acct-disable" else "admin_acct_enabled", lang, user=user)
        if trigger == "admin-acct-reset":
            return _once(text("admin_acct_reset_done", lang, user=user), account_changes.reset_password(conn, user, by=by),
                         lang)
        return text("admin_acct_ended", lang, user=user, n=account_changes.end_sessions(conn, user, by=by))


def change_accounts(*args: Any) -> tuple[Any, Any, Any]:
    """One account change, audited: (message, the list, the accounts to pick from)."""
    account = admin()
    lang = language()
    if ctx.triggered_id not in _BUTTONS:
        return no_update, no_update, no_update
    n = len(account_changes.FIELDS)
    states = args[len(_BUTTONS):]
    name, role, add_scope, pick, new_role, set_scope = (
        states[0], states[1], states[2:2 + n], states[2 + n], states[3 + n], states[4 + n:]
    )
    try:
        fields = {"name": name, "role": role, "add_scope": _scope(add_scope), "pick": pick, "new_role": new_role,
                  "set_scope": _scope(set_scope)}
        answer = _act(str(ctx.triggered_id), account.username, lang, fields)
        with pool().connection() as conn:
            found = accounts.list_accounts(conn)
    except InputError as problem:  # a field the administrator can correct: said on the page
        return said(str(problem), ok=False), no_update, no_update
    return said(answer, ok=True), _rows(found, lang), _pick_options(found)


def picked(user: Any) -> tuple[Any, ...]:
    """The picked account's role and scope, to edit from."""
    admin()
    if not isinstance(user, str) or not user:
        return (no_update,) * (1 + len(account_changes.FIELDS))
    with pool().connection() as conn:
        found = accounts.get(conn, user)
    if found is None:
        return (no_update,) * (1 + len(account_changes.FIELDS))
    scope = account_changes.scope_of(found)
    return (found.role.value, *(
        (list(scope.get(name, ())) if f.many else next(iter(scope.get(name, ())), None))
        for name, f in account_changes.FIELDS.items()
    ))


def register(app: dash.Dash) -> None:
    """Add the section's callbacks."""
    app.callback(
        Output("admin-acct-message", "children"), Output("admin-accounts", "children"),
        Output("admin-acct-pick", "options"),
        *(Input(button, "n_clicks") for button in _BUTTONS),
        State("admin-acct-name", "value"), State("admin-acct-role", "value"),
        *(State(f"admin-acct-add-{name}", "value") for name in account_changes.FIELDS),
        State("admin-acct-pick", "value"), State("admin-acct-new-role", "value"),
        *(State(f"admin-acct-set-{name}", "value") for name in account_changes.FIELDS),
        prevent_initial_call=True,
    )(change_accounts)
    app.callback(
        Output("admin-acct-new-role", "value"),
        *(Output(f"admin-acct-set-{name}", "value") for name in account_changes.FIELDS),
        Input("admin-acct-pick", "value"),
        prevent_initial_call=True,
    )(picked)
