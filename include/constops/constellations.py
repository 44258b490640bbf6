"""Constellations: what the pipeline computes, each a named entry of the settings.

A constellation is a CelesTrak selection (one ``GROUP``, a list of ``CATNR``, or a
``NAME`` search), its operator, the stations that serve it and the region its coverage
is computed over, plus optional fleet and flag thresholds of its own (laid over the
``[fleet]`` and ``[flags]`` defaults). Its id is the ``group_name`` of every row the
pipeline writes for it. Adding one is a settings entry and an import, no code.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Orbit classes: ``leo`` satellites rise and set over a station; ``geo`` satellites stay
#: in view all day and are reported as continuous windows (see :mod:`constops.windows`).
ORBITS = ("leo", "geo")
#: CelesTrak's selections, as the GP API names them.
SELECTIONS = ("GROUP", "CATNR", "NAME")


@dataclass(frozen=True)
class Constellation:
    """One configured constellation (see the module docstring)."""

    constellation_id: str
    name: str
    operator: str
    #: ``GROUP``, ``CATNR`` or ``NAME``.
    selection: str
    #: The group or name searched (one value), or the catalog numbers (one request each).
    values: tuple[str, ...]
    station_ids: tuple[str, ...]
    region_id: str
    orbit: str = "leo"

    def __post_init__(self):
        if self.selection not in SELECTIONS:
            raise ValueError(f"constellation {self.constellation_id!r}: selection {self.selection!r} "
                             f"is not one of {SELECTIONS}")
        if not self.values or (self.selection != "CATNR" and len(self.values) != 1):
            raise ValueError(f"constellation {self.constellation_id!r}: {self.selection} needs "
                             f"{'one or more catalog numbers' if self.selection == 'CATNR' else 'one value'}, "
                             f"not {list(self.values)!r}")
        if self.selection == "CATNR" and not all(v.isdigit() for v in self.values):
            raise ValueError(f"constellation {self.constellation_id!r}: CATNR values must be catalog "
                             f"numbers, not {list(self.values)!r}")
        if self.orbit not in ORBITS:
            raise ValueError(f"constellation {self.constellation_id!r}: orbit {self.orbit!r} is not one of {ORBITS}")

    def queries(self) -> list[dict[str, str]]:
        """Return the GP API queries that fetch the constellation, without FORMAT: one for a
        group or a name, one per catalog number (CelesTrak's CATNR takes a single number)."""
        return [{self.selection: value} for value in self.values]

    @property
    def query_text(self) -> str:
        """Return the selection as written in a GP URL, e.g. ``GROUP=qianfan`` or
        ``CATNR=37798,40230`` (the catalog numbers are fetched one by one)."""
        return f"{self.selection}={','.join(self.values)}"


def constellation_from_toml(constellation_id: str, entry: dict, default_region: str = "kazakhstan") -> Constellation:
    """Return the Constellation of one ``[constellations.<id>]`` settings table: its
    ``celestrak`` table holds exactly one of ``group``, ``catnr`` (a list) or ``name``; without
    a ``region`` it is computed over ``default_region`` (``[coverage] region``)."""
    query = entry["celestrak"]
    chosen = [key for key in ("group", "catnr", "name") if key in query]
    if len(chosen) != 1 or set(query) - {"group", "catnr", "name"}:
        raise ValueError(f"[constellations.{constellation_id}] celestrak must hold exactly one of "
                         f"group, catnr or name, not {query!r}")
    raw = query[chosen[0]]
    values = tuple(str(v) for v in raw) if isinstance(raw, list) else (str(raw),)
    return Constellation(
        constellation_id=constellation_id, name=str(entry.get("name", constellation_id)),
        operator=str(entry.get("operator", "")), selection=chosen[0].upper(), values=values,
        station_ids=tuple(str(s) for s in entry.get("stations", ())), region_id=str(entry.get("region", default_region)),
        orbit=str(entry.get("orbit", "leo")),
    )
