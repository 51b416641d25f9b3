"""What an export holds, in words: the `gridgov export --list` text and docs/EXPORTS.md, both from the registry."""

from __future__ import annotations

from gridgov.i18n import text
from layers.export import FILTER_OPTIONS as OPTIONS
from layers.export import FORMATS, exportable, schema
from layers.registry import SUPPRESS_BELOW, Layer

TYPES = {"int": "integer", "float": "number", "str": "string"}
REGENERATE = "gridgov export --list --markdown > docs/EXPORTS.md"


def _withheld(layer: Layer) -> dict[str, str]:
    """Property -> why it may be null in an export."""
    rule = layer.suppress
    out = {count: f"when below {SUPPRESS_BELOW}" for count in rule.counts}  # or to protect another (the text above)
    for value, inputs in rule.derived.items():
        out[value] = f"when {' or '.join(inputs)} is withheld"
    return out


def _cell(value: str) -> str:
    """Text safe inside a Markdown table cell."""
    return value.replace("|", "\\|")


def _both(key: str) -> str:
    """The catalogue's text in Chinese and in English: the documentation gives both."""
    return f"{text(key, 'zh')} / {text(key, 'en')}"


def listing() -> str:
    """Plain text: every exportable layer, the filters it takes and its properties in Chinese and English."""
    lines = []
    for layer in exportable():
        lines.append(f"{layer.name}  {_both(layer.label)}")
        filters = [OPTIONS[f][0] for f in sorted(layer.accepts)]
        lines.append(f"  filters: {'  '.join(filters) or 'none'}")
        withheld = _withheld(layer)
        for col in schema(layer):
            note = f"  [withheld {withheld[col.name]}]" if col.name in withheld else ""
            lines.append(f"  {col.name:<28} {TYPES[col.type]:<8} {_both(col.label)}{note}")
        lines.append("")
    lines.append(f"formats: {', '.join(f'{k} ({v})' for k, v in FORMATS.items())}, chosen by -o's extension or --format")
    return "\n".join(lines)


def markdown() -> str:
    """docs/EXPORTS.md: the format rules and, per layer, its filters and documented properties."""
    out = [
        "# Exports for planners (规划导出)",
        "",
        f"<!-- generated from the layer registry: `{REGENERATE}`; a test checks it is current -->",
        "",
        "`gridgov export LAYER -o FILE` (or `layers.export.export(conn, LAYER, Filters(...), FILE, LayerSettings())`) writes a",
        "layer's per-grid aggregate: one feature per grid, its polygon and flat properties.",
        "The same tables are served by the OGC API – Features endpoint (`gridgov api`, schema `open_data`),",
        "computed with each layer's default filters: all grids, all time, every category and status,",
        "as of the day they were published.",
        "",
        "- **GeoJSON** (`.geojson`, `.json`) follows RFC 7946: WGS-84 longitude/latitude, exterior rings",
        "  counter-clockwise and holes clockwise, at most 7 decimals, no `crs` member, UTF-8;",
        "  `grid_code` identifies a feature. **GeoPackage** (`.gpkg`) holds the same table (EPSG:4326).",
        "- **De-identified by construction**: only the properties below leave the database — no names, ID",
        "  numbers, phone numbers, addresses, complaint text or household-level points.",
        f"  Every count below {SUPPRESS_BELOW} in a grid (0 included) is withheld (null), with any rate computed",
        "  from it; so is a further count wherever the published counts of the row would give a withheld one back",
        "  by a sum or difference (due − not yet visited = visited), and a grid's counts when a choice of",
        "  categories or statuses would let two questions be subtracted to give a count from 1 to 4",
        "  (`layers/suppression.py`). The last column of each table below says which.",
        "- A missing value is `null`.",
        "",
        "| filter | option | meaning |",
        "|---|---|---|",
        *(f"| {name} | `{_cell(opt)}` | {meaning} |" for name, (opt, meaning) in OPTIONS.items()),
        "",
    ]
    for layer in exportable():
        withheld = _withheld(layer)
        filters = ", ".join(f"`{OPTIONS[f][0]}`" for f in sorted(layer.accepts)) or "none"
        out += [
            f"## `{layer.name}` — {_both(layer.label)}",
            "",
            f"Filters: {filters}.",
            "",
            "| property | type | 中文 | English | withheld (null) |",
            "|---|---|---|---|---|",
            *(
                f"| `{c.name}` | {TYPES[c.type]} | {text(c.label, 'zh')} | {text(c.label, 'en')} | {withheld.get(c.name, '')} |"
                for c in schema(layer)
            ),
            "",
        ]
    return "\n".join(out)
