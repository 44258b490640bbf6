-- Read-only access for analysts to the reporting database (PostgreSQL).
-- Run as the owner of the tables, with psql:  psql "$URL" -v role=constops_analyst -f analyst_role.sql
-- then give people the role:                 GRANT constops_analyst TO alice;
-- Analysts read every result table and the daily_trend and constellation_comparison views;
-- they cannot write anything, and cannot read the archive bookkeeping (gp_snapshots:
-- sources, archive URIs, HTTP answers; day_snapshots), which the views summarise for them.
SELECT format('CREATE ROLE %I NOLOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
GRANT USAGE ON SCHEMA public TO :"role";
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"role";
GRANT SELECT ON satellites, element_sets, set_aside_records, flagged_element_sets, fleet_status,
      propagation_errors, stations, regions, constellations, gateway_passes, gateway_daily,
      coverage_daily, coverage_cells, coverage_timeseries, daily_trend, constellation_comparison,
      sun_outages, antennas, contact_plan, keep_out_intervals, gateway_schedule_daily,
      day_revisions, revision_changes, celestrak_requests,
      gateway_passes_revisions, gateway_daily_revisions, coverage_daily_revisions, fleet_status_revisions,
      propagation_errors_revisions, contact_plan_revisions, keep_out_intervals_revisions,
      gateway_schedule_daily_revisions, sun_outages_revisions TO :"role";
