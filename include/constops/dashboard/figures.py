"""Plotly figures of a day and of the history, drawn from :mod:`day_view` and :mod:`trend`.

Everything is drawn in plain longitude/latitude axes (no map tiles, no topojson from a
CDN), so the figures render without internet.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from ..settings import Settings
from .day_view import DayView
from .trend import coverage_columns

_LAYOUT = {"margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "template": "plotly_white", "font": {"size": 12}}
ELEVATION_SCALE = "Plasma"


def coverage_map(view: DayView, settings: Settings) -> go.Figure:
    """Return the map of the region's cells coloured by the percent of the day covered, one
    heatmap per elevation mask (buttons switch between them), with the border and stations."""
    figure = go.Figure()
    masks = sorted(view.cells["min_elevation_deg"].unique()) if len(view.cells) else []
    for i, mask_deg in enumerate(masks):
        lon, lat, z = _cell_grid(view.cells[view.cells["min_elevation_deg"] == mask_deg], view.cell_size_deg)
        figure.add_trace(go.Heatmap(
            x=lon, y=lat, z=z, zmin=0, zmax=100, colorscale="Viridis", visible=i == 0,
            name=f"≥ {mask_deg:g}°", colorbar={"title": {"text": "% of day"}},
            hovertemplate="%{y:.2f}° N %{x:.2f}° E: %{z:.1f}% of the day<extra>≥ " + f"{mask_deg:g}°</extra>",
        ))
    border_lon, border_lat = border_lines(settings.region.geometry)
    figure.add_trace(go.Scatter(x=border_lon, y=border_lat, mode="lines", line={"color": "black", "width": 1.5},
                                name=settings.region.name, hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        x=[s.lon_deg for s in settings.stations], y=[s.lat_deg for s in settings.stations], mode="markers+text",
        text=[s.name.split(" (")[0] for s in settings.stations], textposition="top center",
        marker={"symbol": "triangle-up", "size": 12, "color": "red", "line": {"color": "white", "width": 1}},
        name="stations",
    ))
    n_fixed = 2
    buttons = [{"label": f"≥ {m:g}°", "method": "update",
                "args": [{"visible": [j == i for j in range(len(masks))] + [True] * n_fixed}]}
               for i, m in enumerate(masks)]
    mean_lat = float(np.mean(view.cells["lat_deg"])) if len(view.cells) else 48.0
    figure.update_layout(
        **_LAYOUT, title=f"Coverage of {settings.region.name}, {view.day}: share of the day with a satellite "
                         f"above the mask", showlegend=False, height=520,
        updatemenus=[{"type": "buttons", "direction": "right", "x": 1.0, "y": 1.0, "xanchor": "right",
                      "yanchor": "bottom", "buttons": buttons}] if buttons else [],
        xaxis={"title": "longitude (°E)"},
        yaxis={"title": "latitude (°N)", "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mean_lat))},
    )
    return figure


def pass_timeline(view: DayView) -> go.Figure:
    """Return the day's passes as bars from AOS to LOS, coloured by the pass's maximum
    elevation: a block of rows per (station, mask), passes that overlap in time on rows of
    their own (the fewest rows that keep every bar clear of the others: a row is not a
    satellite; the hover names the satellite, its AOS, TCA and LOS with their dates, and
    the maximum elevation).

    The bars' colours are computed here from the elevation scale (Plotly warns once per
    bar and draws black hover labels when a bar's colour is a number), and an invisible
    trace carries the colour bar."""
    passes = view.passes.assign(lane=pass_lanes(view.passes)) if len(view.passes) else view.passes
    if len(passes):
        passes = passes.assign(row=[f"{s} ≥ {m:g}° · row {k + 1}" for s, m, k in
                                    zip(passes["station_id"], passes["min_elevation_deg"], passes["lane"])])
    names = view.names
    stamp = "%Y-%m-%d %H:%M:%S"
    figure = go.Figure(go.Bar(
        base=passes["aos"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").tolist() if len(passes) else [],
        x=(passes["duration_s"] * 1000.0).tolist() if len(passes) else [],
        y=passes["row"].tolist() if len(passes) else [], orientation="h",
        marker={"color": elevation_colours(passes["max_elevation_deg"]) if len(passes) else []},
        customdata=np.column_stack([
            [f"{names.get(n, 'NORAD')} ({n})" for n in passes["norad_cat_id"]], passes["max_elevation_deg"],
            passes["aos"].dt.strftime(stamp), passes["tca"].dt.strftime(stamp), passes["los"].dt.strftime(stamp),
        ]).tolist() if len(passes) else [],
        hovertemplate="%{customdata[0]}<br>AOS %{customdata[2]} UTC<br>TCA %{customdata[3]} UTC"
                      "<br>LOS %{customdata[4]} UTC<br>max elevation %{customdata[1]:.1f}°<extra></extra>",
        name="passes", showlegend=False,
    ))
    start = pd.Timestamp(view.day).tz_localize("UTC")
    figure.add_trace(go.Scatter(  # the colour bar of the elevation scale, no points drawn
        x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False, name="max elevation",
        marker={"color": [0], "cmin": 0, "cmax": 90, "colorscale": ELEVATION_SCALE, "showscale": True,
                "colorbar": {"title": {"text": "max el. (°)"}}},
    ))
    n_rows = passes["row"].nunique() if len(passes) else 1
    figure.update_layout(**_LAYOUT, title=f"Gateway passes, {view.day} (UTC): one bar per pass "
                                          f"(passes at the same time on rows of their own)", bargap=0.15,
                         height=160 + 18 * n_rows,
                         xaxis={"type": "date", "range": [start.isoformat(), (start + pd.Timedelta(days=1)).isoformat()],
                                "title": "UTC"},
                         yaxis={"autorange": "reversed", "type": "category"})
    return figure


def elevation_colours(elevations_deg: pd.Series) -> list[str]:
    """Return the colour of each maximum elevation on :data:`ELEVATION_SCALE` from 0 to 90°."""
    from plotly.colors import sample_colorscale

    share = np.clip(np.asarray(elevations_deg, dtype=float) / 90.0, 0.0, 1.0)
    return sample_colorscale(ELEVATION_SCALE, share.tolist())


def pass_lanes(passes: pd.DataFrame) -> list[int]:
    """Return, for each pass (in the frame's order), the lane it is drawn on within its
    (station, mask): greedy interval partitioning by AOS, so overlapping passes never share
    a lane and the number of lanes is the most passes in progress at once."""
    lanes = [0] * len(passes)
    order = np.argsort(passes["aos"].to_numpy(), kind="stable")
    free_at: dict[tuple, list] = {}
    stations, masks = passes["station_id"].to_numpy(), passes["min_elevation_deg"].to_numpy()
    aos, los = passes["aos"].to_numpy(), passes["los"].to_numpy()
    for i in order:
        ends = free_at.setdefault((stations[i], masks[i]), [])
        lane = next((k for k, end in enumerate(ends) if end <= aos[i]), len(ends))
        if lane == len(ends):
            ends.append(los[i])
        else:
            ends[lane] = los[i]
        lanes[i] = lane
    return lanes


def in_view_lines(view: DayView) -> go.Figure:
    """Return the number of satellites in view through the day: over the region (area-weighted
    mean over its cells) and at each station, a line per elevation mask."""
    figure = go.Figure()
    series = view.region_in_view.dropna(subset=["sats_in_view_mean"])
    for mask_deg, rows in series.groupby("min_elevation_deg"):
        figure.add_trace(go.Scatter(x=rows["t"], y=rows["sats_in_view_mean"], mode="lines",
                                    name=f"{view.constellation_id} over the region, ≥ {mask_deg:g}° (mean over cells)"))
    for (station_id, mask_deg), rows in view.station_in_view.groupby(["station_id", "min_elevation_deg"]):
        figure.add_trace(go.Scatter(x=rows["t"], y=rows["satellites"], mode="lines", line={"shape": "hv", "dash": "dot"},
                                    name=f"at {station_id}, ≥ {mask_deg:g}°"))
    figure.update_layout(**_LAYOUT, title=f"Satellites in view, {view.day} (UTC)", height=340,
                         xaxis={"title": "UTC"}, yaxis={"title": "satellites", "rangemode": "tozero"},
                         legend={"orientation": "h", "y": -0.25})
    return figure


def trend_figures(rows: pd.DataFrame, settings: Settings) -> list[go.Figure]:
    """Return the history's figures: coverage at every mask (percent of time), passes per day,
    satellites in orbit and operational per day. A day without results is a gap in every
    line (the lines do not join the days around it)."""
    rows = with_missing_days(rows)
    coverage = go.Figure()
    for mask_deg, column in coverage_columns(settings).items():
        if column in rows:
            coverage.add_trace(go.Scatter(x=rows["day"], y=rows[column], mode="lines+markers", name=f"≥ {mask_deg:g}°"))
    days = {"type": "date", "tickformat": "%Y-%m-%d", "dtick": _day_ticks_ms(rows["day"])}
    coverage.update_layout(**_LAYOUT, title=f"Coverage of {settings.region.name} (percent of the day, area-weighted)",
                           yaxis={"range": [0, 100], "title": "% of time"}, xaxis=days, height=340)
    passes = go.Figure(go.Bar(x=rows["day"], y=rows.get("passes"), name="passes"))
    passes.update_layout(**_LAYOUT, title="Gateway passes per day (all stations, each at its mask)", height=300,
                         xaxis=days)
    fleet = go.Figure([
        go.Scatter(x=rows["day"], y=rows["satellites_in_orbit"], mode="lines+markers", name="in orbit (catalogued)"),
        go.Scatter(x=rows["day"], y=rows["operational_satellites"], mode="lines+markers", name="operational"),
    ])
    fleet.update_layout(**_LAYOUT, title="Satellites per day", height=300, yaxis={"rangemode": "tozero"}, xaxis=days)
    return [coverage, passes, fleet]


def with_missing_days(rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``rows`` (one per computed day, column ``day``) with an empty row for every day
    missing between the first and the last, in day order."""
    if not len(rows):
        return rows
    days = pd.date_range(min(rows["day"]), max(rows["day"]), freq="D").date
    full = rows.set_index("day").reindex(days)
    full.index.name = "day"
    return full.reset_index()


def _day_ticks_ms(days: pd.Series) -> int:
    """Return a tick spacing of whole days (in ms, as Plotly wants) giving at most ~12 ticks."""
    span_days = (max(days) - min(days)).days + 1 if len(days) else 1
    return math.ceil(span_days / 12) * 86_400_000


def border_lines(geometry: shapely.Geometry) -> tuple[list, list]:
    """Return (lon, lat) of every ring of a (multi)polygon, rings separated by None."""
    lon, lat = [], []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            x, y = ring.xy
            lon += [*x, None]
            lat += [*y, None]
    return lon, lat


def _cell_grid(cells: pd.DataFrame, cell_size_deg: float) -> tuple[np.ndarray, np.ndarray, list]:
    """Return the regular grid (lon centres, lat centres, z rows with None outside the region)."""
    lon0, lat0 = cells["lon_deg"].min(), cells["lat_deg"].min()
    col = np.rint((cells["lon_deg"] - lon0) / cell_size_deg).astype(int).to_numpy()
    row = np.rint((cells["lat_deg"] - lat0) / cell_size_deg).astype(int).to_numpy()
    z = np.full((row.max() + 1, col.max() + 1), np.nan)
    z[row, col] = cells["percent_time_covered"].to_numpy()
    lon = lon0 + cell_size_deg * np.arange(z.shape[1])
    lat = lat0 + cell_size_deg * np.arange(z.shape[0])
    return lon, lat, [[None if np.isnan(v) else round(float(v), 3) for v in r] for r in z]
