"""The tables that are data, not code, on /admin: the visit rules (六必访: which groups are due a visit, how often)
and the case deadlines (hours to respond, days to resolve, per kind and category).

Each change goes through the kernel (gridgov.visit_rules, gridgov.case_deadlines),
which checks it and audits it with the account; the pages that use the
tables see it from their next request on (the tables' data versions move).

Callbacks (outputs ← inputs, [state]):
    admin-rule-message, admin-rules ← admin-rule-set, admin-rule-remove (n_clicks) [admin-rule-group, admin-rule-every]
    admin-deadline-message, admin-deadlines ← admin-deadline-set, admin-deadline-remove (n_clicks)
        [admin-deadline-kind, -category, -respond, -resolve]
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.admin.common import admin, button, field, message, number_of, said, table, text_of
from dashboard.web.appctx import pool
from dashboard.web.session import language
from gridgov import case_deadlines, i18n, visit_rules
from gridgov.case_deadlines import Deadline
from gridgov.errors import InputError
from gridgov.groups import SPECIAL_GROUPS
from gridgov.i18n import text
from gridgov.visit_rules import Rule

i18n.add({
    "zh": {
        "admin_rules": "走访规则（六必访）", "admin_rule_group": "特殊群体", "admin_rule_every": "走访周期",
        "admin_rule_set": "保存规则", "admin_rule_remove": "删除规则", "admin_rule_saved": "已保存：{group} 每{every}走访。",
        "admin_rule_removed": "已删除 {group} 的走访规则。",
        "every_week": "周", "every_month": "月", "every_quarter": "季度",
        "admin_deadlines": "案件办理时限", "admin_deadline_kind": "案件类型",
        "admin_deadline_category": "类别（* 为该类型默认）", "admin_deadline_respond": "响应时限（小时）",
        "admin_deadline_resolve": "办结时限（天）", "admin_deadline_set": "保存时限", "admin_deadline_remove": "删除该类别",
        "admin_deadline_saved": "已保存 {kind}「{category}」的时限。", "admin_deadline_removed": "已删除 {kind}「{category}」的时限。",
        "admin_deadline_none": "不限",
    },
    "en": {
        "admin_rules": "Visit rules", "admin_rule_group": "Special group", "admin_rule_every": "Visit every",
        "admin_rule_set": "Save rule", "admin_rule_remove": "Remove rule", "admin_rule_saved": "Saved: {group} visited every {every}.",
        "admin_rule_removed": "Removed the visit rule of {group}.",
        "every_week": "week", "every_month": "month", "every_quarter": "quarter",
        "admin_deadlines": "Case deadlines", "admin_deadline_kind": "Kind of case",
        "admin_deadline_category": "Category (* : the kind's default)", "admin_deadline_respond": "Hours to respond",
        "admin_deadline_resolve": "Days to resolve", "admin_deadline_set": "Save deadlines",
        "admin_deadline_remove": "Remove this category", "admin_deadline_saved": "Saved the deadlines of {kind} '{category}'.",
        "admin_deadline_removed": "Removed the deadlines of {kind} '{category}'.", "admin_deadline_none": "none",
    },
})


def _rule_rows(rules: list[Rule], lang: str) -> html.Table:
    rows = [[text(f"group_{r.group_key}", lang), text(f"every_{r.every}", lang)] for r in rules]
    return table([text("admin_rule_group", lang), text("admin_rule_every", lang)], rows, "gg-visit-rules")


def _deadline_rows(found: list[Deadline], lang: str) -> html.Table:
    none = text("admin_deadline_none", lang)
    rows = [
        [text(f"case_kind_{d.kind}", lang), d.category,
         none if d.respond_hours is None else f"{d.respond_hours:g}", none if d.resolve_days is None else f"{d.resolve_days:g}"]
        for d in found
    ]
    cols = ("admin_deadline_kind", "admin_deadline_category", "admin_deadline_respond", "admin_deadline_resolve")
    return table([text(c, lang) for c in cols], rows, "gg-case-deadlines")


def section(lang: str) -> html.Div:
    """The visit rules and the case deadlines: each a table and a form."""
    with pool().connection() as conn:
        rules = visit_rules.list_rules(conn)
        deadlines = case_deadlines.list_deadlines(conn)
    groups = [{"label": text(f"group_{k}", lang), "value": k} for k in SPECIAL_GROUPS]
    periods = [{"label": text(f"every_{p}", lang), "value": p} for p in visit_rules.PERIODS]
    kinds = [{"label": text(f"case_kind_{k}", lang), "value": k} for k in case_deadlines.KINDS]

    return html.Div(
        [
            html.H2(text("admin_rules", lang), id="admin-rules-title"),
            html.Div(_rule_rows(rules, lang), id="admin-rules"),
            html.Div(
                [
                    field("admin_rule_group", lang, dcc.Dropdown(id="admin-rule-group", options=groups)),
                    field("admin_rule_every", lang, dcc.Dropdown(id="admin-rule-every", options=periods, value="month")),
                    button("admin_rule_set", lang, "admin-rule-set"), button("admin_rule_remove", lang, "admin-rule-remove"),
                ],
                className="gg-admin-form",
            ),
            message("admin-rule-message"),
            html.H2(text("admin_deadlines", lang), id="admin-deadlines-title"),
            html.Div(_deadline_rows(deadlines, lang), id="admin-deadlines"),
            html.Div(
                [
                    field("admin_deadline_kind", lang, dcc.Dropdown(id="admin-deadline-kind", options=kinds)),
                    field("admin_deadline_category", lang, dcc.Input(id="admin-deadline-category", type="text",
                                                                     maxLength=case_deadlines.MAX_CATEGORY)),
                    field("admin_deadline_respond", lang, dcc.Input(id="admin-deadline-respond", type="number", min=0)),
                    field("admin_deadline_resolve", lang, dcc.Input(id="admin-deadline-resolve", type="number", min=0)),
                    button("admin_deadline_set", lang, "admin-deadline-set"),
                    button("admin_deadline_remove", lang, "admin-deadline-remove"),
                ],
                className="gg-admin-form",
            ),
            message("admin-deadline-message"),
        ],
        className="gg-admin-section gg-admin-tables",
    )


def change_rules(_set: Any, _remove: Any, group: Any, every: Any) -> tuple[Any, Any]:
    """Set or remove a group's visit rule, audited: (message, the rules)."""
    account = admin()
    lang = language()
    if ctx.triggered_id not in ("admin-rule-set", "admin-rule-remove"):
        return no_update, no_update
    try:
        key = text_of(group, "group")
        with pool().connection() as conn:
            if ctx.triggered_id == "admin-rule-set":
                rule = visit_rules.set_rule(conn, key, text_of(every, "period"), by=account.username)
                answer = text("admin_rule_saved", lang, group=text(f"group_{key}", lang),
                               every=text(f"every_{rule.every}", lang))
            else:
                visit_rules.remove_rule(conn, key, by=account.username)
                answer = text("admin_rule_removed", lang, group=text(f"group_{key}", lang))
            rules = visit_rules.list_rules(conn)
    except InputError as problem:
        return said(str(problem), ok=False), no_update
    return said(answer, ok=True), _rule_rows(rules, lang)


def change_deadlines(_set: Any, _remove: Any, kind: Any, category: Any, respond: Any, resolve: Any) -> tuple[Any, Any]:
    """Set or remove a category's case deadlines, audited: (message, the deadlines)."""
    account = admin()
    lang = language()
    if ctx.triggered_id not in ("admin-deadline-set", "admin-deadline-remove"):
        return no_update, no_update
    try:
        kind_ = text_of(kind, "kind")
        cat = text_of(category, "category").strip()
        words = {"kind": text(f"case_kind_{kind_}", lang) if kind_ in case_deadlines.KINDS else kind_, "category": cat}
        with pool().connection() as conn:
            if ctx.triggered_id == "admin-deadline-set":
                case_deadlines.set_deadline(conn, kind_, cat, respond_hours=number_of(respond, "hours to respond"),
                                            resolve_days=number_of(resolve, "days to resolve"), by=account.username)
                answer = text("admin_deadline_saved", lang, **words)
            else:
                case_deadlines.remove_deadline(conn, kind_, cat, by=account.username)
                answer = text("admin_deadline_removed", lang, **words)
            found = case_deadlines.list_deadlines(conn)
    except InputError as problem:
        return said(str(problem), ok=False), no_update
    return said(answer, ok=True), _deadline_rows(found, lang)


def register(app: dash.Dash) -> None:
    """Add the section's callbacks."""
    app.callback(
        Output("admin-rule-message", "children"), Output("admin-rules", "children"),
        Input("admin-rule-set", "n_clicks"), Input("admin-rule-remove", "n_clicks"),
        State("admin-rule-group", "value"), State("admin-rule-every", "value"),
        prevent_initial_call=True,
    )(change_rules)
    app.callback(
        Output("admin-deadline-message", "children"), Output("admin-deadlines", "children"),
        Input("admin-deadline-set", "n_clicks"), Input("admin-deadline-remove", "n_clicks"),
        State("admin-deadline-kind", "value"), State("admin-deadline-category", "value"),
        State("admin-deadline-respond", "value"), State("admin-deadline-resolve", "value"),
        prevent_initial_call=True,
    )(change_deadlines)
