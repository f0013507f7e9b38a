"""``presslens serve``: the JSON API and the browser UI over one pipeline and one store.

>>> from presslens.interfaces.service import ServiceSettings, create_app
>>> app = create_app(ServiceSettings(store="corpus.db"))

``create_app`` is imported on first use: it brings in FastAPI and the whole API, which the other ``presslens``
commands (they import this package for ``serve``'s option defaults) should not pay for at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from presslens.interfaces.service.settings import FetchPolicy, ServiceSettings

if TYPE_CHECKING:
    from presslens.interfaces.service.app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from presslens.interfaces.service.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FetchPolicy", "ServiceSettings", "create_app"]
