"""The whole history, a row per day: coverage at each mask, passes, operational satellites."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select, text

from ..reporting import schema
from ..reporting.schema import mask_column
from ..settings import Settings


def trend(engine: Engine, settings: Settings, constellation_id: str | None = None) -> pd.DataFrame:
    """Return one row per computed day of ``constellation_id`` (default: the first configured one):
    the ``daily_trend`` view's columns (coverage of the region at every configured mask in
    percent of time, satellites in orbit and operational) plus ``passes`` (passes over all
    stations, each at its own mask) and ``percent_time_visible_<station>``."""
    constellation_id = constellation_id or settings.constellation_ids[0]
    with engine.connect() as conn:
        result = conn.execute(text("SELECT * FROM daily_trend WHERE group_name = :g ORDER BY day"), {"g": constellation_id})
        rows = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        gw = schema.gateway_daily
        passes = pd.DataFrame(conn.execute(
            select(gw.c.day, gw.c.station_id, func.sum(gw.c.pass_count).label("passes"),
                   func.min(gw.c.percent_time_visible).label("visible"))
            .where(gw.c.group_name == constellation_id).group_by(gw.c.day, gw.c.station_id)).fetchall(),
            columns=["day", "station_id", "passes", "visible"])
    if not len(rows):
        return rows
    rows["day"] = pd.to_datetime(rows["day"]).dt.date
    rows = rows.drop_duplicates("day")
    if len(passes):
        passes["day"] = pd.to_datetime(passes["day"]).dt.date
        per_day = passes.groupby("day")["passes"].sum().rename("passes")
        visible = passes.pivot(index="day", columns="station_id", values="visible").add_prefix("percent_time_visible_")
        rows = rows.join(per_day, on="day").join(visible, on="day")
    else:
        rows["passes"] = pd.NA
    return rows.reset_index(drop=True)


def coverage_columns(settings: Settings) -> dict[float, str]:
    """Return {mask in degrees: trend column of the region's coverage at that mask}."""
    return {mask: mask_column(mask) for mask in settings.masks_deg}
