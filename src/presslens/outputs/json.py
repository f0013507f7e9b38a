"""JSON output: the contract's object, one per line for several articles."""

from __future__ import annotations

import json
from typing import Any

from presslens.outputs import output_format


@output_format("json", suffix=".json")
def render_json(analysis: dict[str, Any]) -> str:
    return json.dumps(analysis, ensure_ascii=False)
