"""Outputs: renderers from the analysis JSON object to a format, registered by name.

A renderer takes the contract's JSON dict (so a saved analysis renders exactly like a fresh one) and returns the
document as a string::

    @output_format("html", suffix=".html")
    def render_html(analysis: dict) -> str: ...
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2

Renderer = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    render: Renderer
    suffix: str


_FORMATS: dict[str, OutputFormat] = {}


def output_format(name: str, *, suffix: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer of the analysis JSON under ``name``."""

    def register(render: Renderer) -> Renderer:
        _FORMATS[name] = OutputFormat(name, render, suffix)
        return render

    return register


def output_formats() -> dict[str, OutputFormat]:
    """Every output format by name (modules of this package are imported on first use)."""
    for module in pkgutil.iter_modules(__path__, __name__ + "."):
        importlib.import_module(module.name)
    return dict(_FORMATS)


def template_environment() -> jinja2.Environment:
    """A Jinja2 environment over ``outputs/templates`` with autoescaping on (every value is escaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("presslens.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def template_asset(name: str) -> str:
    """A file of ``outputs/templates`` (CSS, JS) to inline into a page."""
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")
