"""The closed word lists of the data: statuses, severities, ratings, visit periods and facility kinds.

Each list maps a canonical code (what the database stores, the layers count and
the filters name) to the Chinese word community offices write, in the order the
pages list them; the `*_WORDS` maps add the other spellings the ETL accepts. The
database's CHECK constraints (migrations 001 and 005) name the same codes, and
tests/test_vocabulary.py keeps the two equal. The words shown to a user, in
either language, come from the catalogue (gridgov.i18n); the special groups have
a module of their own (gridgov.groups).
"""

from __future__ import annotations

# 安全隐患: how serious (等级), and how far its repair (整改) has got
HAZARD_SEVERITIES: dict[str, str] = {"high": "重大", "medium": "较大", "low": "一般"}
HAZARD_STATUSES: dict[str, str] = {"open": "待整改", "in_progress": "整改中", "closed": "已整改"}

# 接诉即办: a work order's status, derived from its columns (layers.complaints says how)
COMPLAINT_STATUSES: dict[str, str] = {
    "pending": "待响应",
    "in_progress": "办理中",
    "resolved": "已解决",
    "unresolved": "未解决",
    "closed_unknown": "已办结·结果未知",
}

# a caller's rating of a closed work order (满意度回访)
SATISFACTION: dict[str, str] = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}

# 六必访: a due household's visit this period, the most urgent first; and how often a group is visited
VISIT_STATUSES: dict[str, str] = {"overdue": "逾期", "due": "待访", "visited": "已访"}
VISIT_PERIODS = ("week", "month", "quarter")

# 设施: the kinds counted apart, each with the names ledgers write (the first is the one shown); the rest is OTHER
FACILITY_KINDS: dict[str, tuple[str, ...]] = {
    "hydrant": ("消防栓", "室外消火栓", "消火栓"),
    "aed": ("AED", "自动体外除颤器", "除颤仪"),
    "micro_fire_station": ("微型消防站",),
    "gas_regulator": ("燃气调压箱", "调压箱"),
    "camera": ("监控", "监控探头", "摄像头"),
    "elderly_care": ("养老驿站", "养老服务驿站"),
    "party_service": ("党群服务站", "党群服务中心"),
    "health_station": ("卫生服务站", "社区卫生服务站"),
    "school": ("学校", "幼儿园"),
}
OTHER_FACILITY = "other"


# what the ETL reads in a cell -> the code it stores (the codes themselves are read too), in the order a
# quarantine reason lists them; tests/test_vocabulary.py checks that each list's own words are there
HAZARD_SEVERITY_WORDS = {"一般": "low", "较大": "medium", "重大": "high", "低": "low", "中": "medium", "高": "high"}
HAZARD_STATUS_WORDS = {"待整改": "open", "未整改": "open", "整改中": "in_progress", "已整改": "closed", "已完成": "closed"}
SATISFACTION_WORDS = {
    "满意": "satisfied", "非常满意": "satisfied", "是": "satisfied", "5": "satisfied",
    "基本满意": "basically_satisfied", "比较满意": "basically_satisfied", "4": "basically_satisfied",
    "不满意": "dissatisfied", "否": "dissatisfied", "非常不满意": "dissatisfied",
    "3": "dissatisfied", "2": "dissatisfied", "1": "dissatisfied",
}
# 是否解决: the spellings of yes and no (compared in lower case)
YES_WORDS = frozenset({"是", "已解决", "解决", "true", "yes", "y", "1", "√", "对"})
NO_WORDS = frozenset({"否", "未解决", "false", "no", "n", "0", "×", "不是"})
