"""Every user-facing string of the dashboard, one dict per language (简体中文 by default)."""

from __future__ import annotations

DEFAULT_LANGUAGE = "zh"

CATALOGUE: dict[str, dict[str, str]] = {
    "zh": {
        "app_title": "社区网格地图",
        "title_map": "社区网格地图",
        "layer_special_groups": "特殊群体分布",
        "legend_title": "特殊群体户数",
        "legend_no_data": "暂无数据",
        "grid_name": "网格",
        "households": "户数",
        "special_households": "特殊群体户数",
        "summary": "{grids} 个网格 · {households} 户 · 特殊群体 {special} 户",
        "no_grids": "尚未导入网格数据。请先导入网格边界（gridgov load）。",
        "db_unavailable": "无法连接数据库，请稍后刷新页面或联系管理员。",
        "separator": "、",
    },
    "en": {
        "app_title": "Community grid map",
        "title_map": "Community grid map",
        "layer_special_groups": "Special groups",
        "legend_title": "Special-group households",
        "legend_no_data": "No data",
        "grid_name": "Grid",
        "households": "Households",
        "special_households": "Special-group households",
        "summary": "{grids} grids · {households} households · {special} special-group households",
        "no_grids": "No grids loaded yet. Load the grid boundaries first (gridgov load).",
        "db_unavailable": "The database cannot be reached; reload the page later or ask the administrator.",
        "separator": ", ",
    },
}


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The string `key` in `lang` (falling back to the default language), formatted with `values`."""
    strings = CATALOGUE.get(lang, CATALOGUE[DEFAULT_LANGUAGE])
    template = strings.get(key, CATALOGUE[DEFAULT_LANGUAGE][key])
    return template.format(**values) if values else template
