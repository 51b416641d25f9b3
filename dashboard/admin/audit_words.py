"""The audit trail in words a person reads: an action's name, its details as labelled lines, the time in the
community's zone with the zone named. Used alike by the /admin page and its CSV download, so both say the same.

Actions and detail keys have catalogue words (`audit_action_<action>`,
`audit_key_<key>`); one without its word is shown as stored rather than hidden.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gridgov import i18n
from gridgov.i18n import CATALOGUE, DEFAULT_LANGUAGE, text

_ACTIONS = {
    "login": ("登录", "Sign-in"), "login_failed": ("登录失败", "Failed sign-in"), "logout": ("退出", "Sign-out"),
    "view_personal": ("查看个人信息", "Viewed personal data"),
    "view_deidentified": ("查看脱敏数据", "Viewed de-identified data"), "export": ("导出数据", "Export"),
    "wall_device_added": ("新建大屏设备", "Wall device made"), "wall_device_revoked": ("吊销大屏设备", "Wall device revoked"),
    "unit_added": ("新增报到单位", "Unit added"), "unit_changed": ("修改报到单位", "Unit changed"),
    "unit_disabled": ("停用报到单位", "Unit disabled"),
    "api_token_added": ("新建接口令牌", "API token made"), "api_token_revoked": ("吊销接口令牌", "API token revoked"),
    "case_link_made": ("生成单位链接", "Unit link made"), "case_link_used": ("使用单位链接", "Unit link used"),
    "case_link_revoked": ("吊销单位链接", "Unit link revoked"), "case_link_refused": ("单位链接被拒", "Unit link refused"),
    "record_visit": ("记录走访", "Visit recorded"), "undo_visit": ("撤销走访", "Visit undone"),
    "case_action": ("办理案件", "Case action"), "open311_request": ("12345 派单", "12345 request filed"),
    "account_added": ("新建账号", "Account created"), "account_disabled": ("停用账号", "Account disabled"),
    "account_enabled": ("启用账号", "Account enabled"), "password_reset": ("重置密码", "Password reset"),
    "account_role_changed": ("修改角色与范围", "Role and scope changed"),
    "sessions_ended": ("强制下线", "Signed out everywhere"),
    "visit_rule_set": ("设置走访规则", "Visit rule set"), "visit_rule_removed": ("删除走访规则", "Visit rule removed"),
    "case_deadline_set": ("设置办理时限", "Case deadline set"),
    "case_deadline_removed": ("删除办理时限", "Case deadline removed"),
    "audit_downloaded": ("下载审计记录", "Audit trail downloaded"),
}
_KEYS = {
    "account": ("账号", "Account"), "role": ("角色", "Role"), "was": ("原角色", "Former role"), "grids": ("网格", "Grids"),
    "was_grids": ("原网格", "Former grids"), "grid": ("网格", "Grid"), "grid_code": ("网格", "Grid"),
    "sessions": ("会话数", "Sessions"), "by": ("操作人", "By"), "layer": ("图层", "Layer"), "filters": ("筛选", "Filters"),
    "query": ("查询条件", "Query"), "via": ("途径", "Via"), "format": ("格式", "Format"), "bytes": ("字节", "Bytes"),
    "unit": ("单位", "Unit"), "kind": ("类型", "Kind"), "contact": ("联系人", "Contact"), "categories": ("类别", "Categories"),
    "ack_hours": ("报到时限（小时）", "Hours to acknowledge"), "expires_at": ("有效期至", "Valid until"),
    "scope": ("权限范围", "Scope"), "case_id": ("案件", "Case"), "what": ("内容", "What"), "reason": ("原因", "Reason"),
    "visit_id": ("走访编号", "Visit"), "household_id": ("户编号", "Household"), "action": ("动作", "Action"),
    "new": ("新建", "New"), "cases": ("案件数", "Cases"), "group_key": ("群体", "Group"), "every": ("周期", "Every"),
    "label": ("名称", "Label"), "category": ("类别", "Category"), "respond_hours": ("响应时限（小时）", "Hours to respond"),
    "resolve_days": ("办结时限（天）", "Days to resolve"), "rows": ("行数", "Rows"),
    "username": ("用户名", "Username"), "start": ("开始日期", "From"), "end": ("结束日期", "To"),
}
i18n.add({
    lang: {
        **{f"audit_action_{k}": words[i] for k, words in _ACTIONS.items()},
        **{f"audit_key_{k}": words[i] for k, words in _KEYS.items()},
        "audit_zone": ("时间（{zone}，UTC{offset}）", "Time ({zone}, UTC{offset})")[i],
    }
    for i, lang in enumerate(("zh", "en"))
})


def _known(key: str) -> bool:
    return key in CATALOGUE[DEFAULT_LANGUAGE]


def action_label(action: str, lang: str) -> str:
    """The action's name in `lang` (as stored when it has none)."""
    key = f"audit_action_{action}"
    return text(key, lang) if _known(key) else action


def _value(value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, lang) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_value(v, lang)}" for k, v in value.items()) or "—"
    return str(value)


def detail_lines(detail: dict[str, Any], lang: str) -> list[str]:
    """The event's details as `label: value` lines, in the order the database keeps the keys."""
    lines = []
    for key, value in detail.items():
        label_key = f"audit_key_{key}"
        label = text(label_key, lang) if _known(label_key) else key
        lines.append(f"{label}: {_value(value, lang)}")
    return lines


def zone_label(zone: ZoneInfo, at: datetime, lang: str) -> str:
    """The time column's heading: the zone's name and its offset from UTC at `at`."""
    offset = at.astimezone(zone).strftime("%z")
    return text("audit_zone", lang, zone=zone.key, offset=f"{offset[:3]}:{offset[3:]}")


def local_time(at: datetime, zone: ZoneInfo) -> str:
    """An event's time on the community's clock."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M:%S}"
