"""The safety map's layers: the extension point other parts of the safety system fill.

The map page (``/bezpieczenstwo``) asks ``GET /api/mapa/warstwy`` which layers there are and
loads each from its ``url``. The incidents' own layer is added by this package; another part
(the responders) adds its own at installation::

    app[MAP_LAYERS].append(MapLayer("ratownicy", "Ratownicy", "/api/ratownicy/mapa"))

Its ``url`` answers a JSON list of features, each
``{"lat": float, "lon": float, "label": str, "detail": str, "href": str}``; the page draws
them as circle markers with a popup (``href`` optional). The incidents' layer is drawn by the
page itself (markers by category and status).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class MapLayer:
    """A layer: its id (the page's checkbox), its Polish name, where its features are."""

    id: str
    name: str
    url: str


MAP_LAYERS = web.AppKey("map_layers", list[MapLayer])
INCIDENTS_LAYER = MapLayer("zagrozenia", "Zagrożenia", "/api/zagrozenia")


def layers_of(app: web.Application) -> list[MapLayer]:
    """The app's map layers (made with the incidents' layer on first use)."""
    if MAP_LAYERS not in app:
        app[MAP_LAYERS] = [INCIDENTS_LAYER]
    return app[MAP_LAYERS]
