"""The left side of the planner's page: the picks, the preview's count, the downloads and the OGC API address.

The ids here are those dashboard.export.page's callbacks read and write. The
downloads are one form POSTed with the session's CSRF token
(dashboard.web.downloads refuses a download without it); each button posts it
to its own file's URL (`formAction`, set by the preview callback, and disabled
until the picks are valid).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dash import dcc, html
from dash.development.base_component import Component
from flask import request

from dashboard.export import options
from dashboard.web.appctx import settings
from dashboard.web.session import csrf_token
from gridgov.i18n import text
from layers.registry import Layer

_DROPDOWN_LABELS = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection", "no_options_found")


def label(layer: Layer, lang: str) -> str:
    return text(layer.label, lang)


def ogc_api_url() -> str:
    """The OGC API – Features address, on the host the browser reached this server at, on the API's port."""
    host = urlsplit(request.host_url).hostname or "127.0.0.1"
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{request.scheme}://{host}:{settings().api.api_port}/"


def _field(label: str, control: Component, box_id: str) -> html.Div:
    return html.Div([html.Label(label, className="gg-export-label"), control], id=box_id, className="gg-export-field")


def _dropdown(id: str, options: list[dict[str, str]], placeholder: str, lang: str) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=id, options=options, value=[], multi=True, placeholder=placeholder, className="gg-export-dropdown",
        labels={key: text(f"dropdown_{key}", lang) for key in _DROPDOWN_LABELS},  # type: ignore[arg-type]
    )


def _download_button(label: str, id: str) -> html.Button:
    return html.Button(label, id=id, type="submit", disabled=True, className="gg-export-button")


def panel(lang: str, layers: list[Layer]) -> html.Aside:
    grids = [{"label": f"{code} {name}", "value": code} for code, name in options.grids()]
    choose = [
        _field(
            text("export_layer", lang),
            dcc.RadioItems(
                id="export-layer", options=[{"label": label(lyr, lang), "value": lyr.name} for lyr in layers],
                value=layers[0].name if layers else None, className="gg-export-layers",
            ),
            "export-layer-box",
        ),
        _field(text("export_grids", lang), _dropdown("export-grids", grids, text("export_all_grids", lang), lang), "export-grids-box"),
        _field(
            text("export_window", lang),
            dcc.DatePickerRange(
                id="export-window", display_format="YYYY-MM-DD", month_format=text("date_month_format", lang),
                start_date_placeholder_text=text("export_from", lang), end_date_placeholder_text=text("export_to", lang),
                clearable=True, first_day_of_week=1, className="gg-export-dates",
            ),
            "export-window-box",
        ),
        _field(
            text("export_categories", lang),
            _dropdown("export-categories", [], text("export_all_categories", lang), lang),
            "export-categories-box",
        ),
    ]
    result = [
        html.Div(id="export-status", className="gg-export-status", role="status"),
        html.Div(id="export-error", className="gg-export-error", role="alert"),
        html.Form(
            [
                dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                _download_button(text("export_download_geojson", lang), "export-geojson"),
                _download_button(text("export_download_gpkg", lang), "export-gpkg"),
            ],
            method="POST",
            className="gg-export-downloads",
        ),
        html.P(text("export_deidentified", lang), className="gg-export-fineprint"),
    ]
    api = html.Section(
        [
            html.Div(text("export_ogc_title", lang), className="gg-export-label"),
            html.Div(
                [html.Code(ogc_api_url(), id="export-ogc-url"), dcc.Clipboard(target_id="export-ogc-url", className="gg-export-copy")],
                className="gg-export-api-url",
            ),
            html.P(id="export-ogc-help", className="gg-export-fineprint"),
        ],
        className="gg-export-api",
    )
    return html.Aside([*choose, *result, api], className="gg-export-panel")
