"""The body Dash's renderer POSTs for a callback with several outputs, inputs and states (for crafted callbacks)."""

from __future__ import annotations

from typing import Any

Prop = tuple[str, str, Any]  # component id, property, value


def dash_body(
    outputs: list[str], inputs: list[Prop], state: list[Prop] | None = None, changed: str | None = None
) -> dict[str, Any]:
    """The request for `outputs` ("id.prop"), fired by `changed` (default: the first input)."""
    pairs = [o.split(".", 1) for o in outputs]
    return {
        "output": ".." + "...".join(outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in pairs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
    }
