"""Plotly figures of a station's contact plan (:mod:`schedule_view`): the antennas' timeline
and the sky plot. Plain axes and a polar plot: nothing is fetched to draw them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from .schedule_view import ScheduleView

_LAYOUT = {"margin": {"l": 80, "r": 20, "t": 50, "b": 50}, "template": "plotly_white", "font": {"size": 12}}
#: Satellites are told apart by colour, cycling through this palette by NORAD id.
PALETTE = qualitative.Dark24
CAUSE_COLOURS = {"gso_arc": "#d62728", "sun": "#ff9f1c", "keyhole": "#7f7f7f"}
_STAMP = "%H:%M:%S"


def satellite_colour(norad_cat_id: int) -> str:
    """Return the colour of a satellite on every figure of the plan."""
    return PALETTE[int(norad_cat_id) % len(PALETTE)]


def antenna_timeline(view: ScheduleView) -> go.Figure:
    """Return one lane per antenna with its contacts as bars coloured by satellite (the
    hover names the satellite, the times and the satellite taken over), a diamond where a
    contact takes over make-before-break, and a lane per keep-out cause with the seconds
    that pass lost to it."""
    contacts = view.contacts
    figure = go.Figure()
    if len(contacts):
        figure.add_trace(go.Bar(
            base=contacts["contact_start"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist(),
            x=(contacts["duration_s"] * 1000.0).tolist(), y=contacts["antenna_id"].tolist(), orientation="h",
            marker={"color": [satellite_colour(n) for n in contacts["norad_cat_id"]]},
            customdata=list(zip(
                [f"{name or 'NORAD'} ({n})" for name, n in zip(contacts["object_name"], contacts["norad_cat_id"])],
                contacts["contact_start"].dt.strftime(_STAMP), contacts["contact_end"].dt.strftime(_STAMP),
                ["" if pd.isna(h) else f"<br>takes over {int(h)}" for h in contacts["handover_from"]])),
            hovertemplate="%{y}: %{customdata[0]}<br>%{customdata[1]} - %{customdata[2]} UTC%{customdata[3]}"
                          "<extra></extra>", name="contacts", showlegend=False))
        takeovers = contacts[contacts["handover_from"].notna()]
        figure.add_trace(go.Scatter(
            x=takeovers["contact_start"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist(), y=takeovers["antenna_id"].tolist(),
            mode="markers", marker={"symbol": "diamond", "size": 7, "color": "black"}, name="handover (make-before-break)",
            hovertemplate="handover at %{x}<extra></extra>"))
    for cause, lost in view.keep_outs.groupby("cause") if len(view.keep_outs) else ():
        figure.add_trace(go.Bar(
            base=lost["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%S").tolist(),
            x=(lost["duration_s"] * 1000.0).tolist(), y=[f"lost: {cause}"] * len(lost), orientation="h",
            marker={"color": CAUSE_COLOURS.get(cause, "#999999")}, name=f"keep-out: {cause}",
            customdata=lost["norad_cat_id"].tolist(),
            hovertemplate=f"{cause} keep-out of %{{customdata}}<extra></extra>"))
    start = pd.Timestamp(view.day).tz_localize("UTC")
    lanes = list(view.antenna_ids) + [f"lost: {c}" for c in CAUSE_COLOURS if len(view.keep_outs)
                                      and c in set(view.keep_outs["cause"])]
    figure.update_layout(**_LAYOUT, barmode="overlay", height=140 + 34 * len(lanes), bargap=0.3,
                         title=f"Contact plan of {view.station.station_id}, {view.day} (UTC): one lane per antenna",
                         xaxis={"type": "date", "title": "UTC",
                                "range": [start.isoformat(), (start + pd.Timedelta(days=1)).isoformat()]},
                         yaxis={"type": "category", "categoryorder": "array", "categoryarray": lanes,
                                "autorange": "reversed"},
                         legend={"orientation": "h", "y": -0.25})
    return figure


def sky_plot(view: ScheduleView) -> go.Figure:
    """Return the polar sky of the station (azimuth clockwise from north, the zenith at the
    centre, the horizon at the rim): every contact's track coloured by satellite, the GSO
    arc with its keep-out band, and the Sun's path over the day."""
    spec = view.station.antennas
    figure = go.Figure()
    for (norad, _), track in view.tracks.groupby(["norad_cat_id", "contact_start"], sort=False) if len(view.tracks) else ():
        figure.add_trace(go.Scatterpolar(
            theta=track["azimuth_deg"], r=90.0 - track["elevation_deg"], mode="lines", showlegend=False,
            line={"color": satellite_colour(norad), "width": 1.5}, name=f"{track['object_name'].iloc[0]} ({norad})",
            hovertemplate=f"{track['object_name'].iloc[0]} ({norad}) on {track['antenna_id'].iloc[0]}"
                          "<br>az %{theta:.1f}°<extra></extra>"))
    arc = view.gso_arc
    for offset, dash, label in ((0.0, "solid", "GSO arc"), (spec.gso_separation_deg, "dot", "GSO keep-out edge")):
        figure.add_trace(go.Scatterpolar(theta=arc["azimuth_deg"], r=90.0 - arc["elevation_deg"] - offset,
                                         mode="lines", line={"color": "#d62728", "dash": dash, "width": 2},
                                         name=label if offset == 0 else f"{label} ({spec.gso_separation_deg:g}°)",
                                         hoverinfo="skip"))
    sun = view.sun
    figure.add_trace(go.Scatterpolar(
        theta=sun["azimuth_deg"], r=90.0 - sun["elevation_deg"], mode="lines+markers", name="Sun (every 10 min)",
        line={"color": "#ff9f1c", "width": 2}, marker={"size": 4},
        customdata=sun["t"].dt.strftime("%H:%M").tolist() if len(sun) else [],
        hovertemplate="Sun at %{customdata} UTC<extra></extra>"))
    figure.update_layout(**_LAYOUT, height=560, title=f"Sky of {view.station.station_id}, {view.day}: contacts, "
                                                      "the GSO arc and the Sun",
                         polar={"angularaxis": {"rotation": 90, "direction": "clockwise"},
                                "radialaxis": {"range": [0, 90], "tickvals": [0, 30, 60, 80],
                                               "ticktext": ["90°", "60°", "30°", "10°"]}})
    return figure
