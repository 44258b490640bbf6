// The calendar of days: states from api/calendar, selection, and backfills through Airflow's REST API.
const CLASS = {"computed": "computed", "old snapshot": "old", "incomplete": "incomplete", "failed": "failed",
               "missing": "missing", "running": "running"};
let days = [], byDay = {}, anchor = null, pollTimer = null;

async function load() {
  const response = await fetch(`${ROOT}/api/calendar?group=${encodeURIComponent(GROUP)}`, {credentials: "same-origin"});
  if (!response.ok) { show(`calendar: HTTP ${response.status}`, true); return; }
  const body = await response.json();
  days = body.days; byDay = Object.fromEntries(days.map(d => [d.day, d]));
  render();
  const busy = days.some(d => d.state === "running");
  clearTimeout(pollTimer);
  pollTimer = setTimeout(load, busy ? 3000 : 30000);
}

function render() {
  const months = document.getElementById("months");
  months.replaceChildren();
  const byMonth = {};
  for (const d of days) (byMonth[d.day.slice(0, 7)] ??= []).push(d);
  for (const [month, list] of Object.entries(byMonth).reverse()) {
    const box = document.createElement("div"); box.className = "month";
    box.innerHTML = `<h3>${month}</h3>`;
    const grid = document.createElement("div"); grid.className = "grid";
    for (const name of ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]) grid.insertAdjacentHTML("beforeend", `<span class="dow">${name}</span>`);
    const weekday = (new Date(list[0].day + "T00:00:00Z").getUTCDay() + 6) % 7;
    for (let i = 0; i < weekday; i++) grid.insertAdjacentHTML("beforeend", `<span class="day outside"></span>`);
    for (const d of list) {
      const cell = document.createElement("span");
      cell.className = `day ${CLASS[d.state] || "missing"}`;
      cell.dataset.day = d.day; cell.dataset.state = d.state;
      cell.title = describe(d);
      cell.textContent = Number(d.day.slice(8));
      cell.addEventListener("click", e => select(d.day, e.shiftKey));
      cell.addEventListener("dblclick", () => { window.location.href = `${ROOT}/day/${d.day}?group=${encodeURIComponent(GROUP)}`; });
      grid.append(cell);
    }
    box.append(grid); months.append(box);
  }
  highlight();
}

function describe(d) {
  let text = `${d.day}: ${d.state}`;
  if (d.snapshot_id !== null) text += `, snapshot ${d.snapshot_id}, ${d.snapshot_age_days?.toFixed(1)} days old${d.age_override ? " (limit overridden)" : ""}`;
  for (const r of d.runs) text += `\n${r.dag_id}: ${r.state} (${r.run_id})`;
  return text;
}

function select(day, extend) {
  const from = document.getElementById("from"), to = document.getElementById("to");
  if (extend && anchor) { [from.value, to.value] = anchor <= day ? [anchor, day] : [day, anchor]; }
  else { anchor = day; from.value = day; to.value = day; }
  highlight();
  const d = byDay[day];
  const rows = d.runs.map(r => `<tr><td>${r.dag_id}</td><td><a target="_top" href="${r.href}">${r.run_id}</a></td><td>${r.state}</td></tr>`).join("");
  document.getElementById("detail").innerHTML = `<p><b>${day}</b>: ${d.state} · <a href="${ROOT}/day/${day}?group=${encodeURIComponent(GROUP)}">open the day page</a></p>` +
    (rows ? `<table><tr><th>DAG</th><th>run</th><th>state</th></tr>${rows}</table>` : "");
}

function highlight() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  for (const cell of document.querySelectorAll(".day[data-day]")) {
    cell.classList.toggle("selected", Boolean(from && to && cell.dataset.day >= from && cell.dataset.day <= to));
  }
}

function show(text, error = false) {
  const status = document.getElementById("status");
  status.textContent = text; status.className = error ? "error" : "";
}

async function startBackfill() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  if (!from || !to || from > to) { show("choose a From day on or before the To day", true); return; }
  const button = document.getElementById("start"); button.disabled = true;
  try {
    const response = await fetch(`${AIRFLOW_ROOT}/api/v2/backfills`, {
      method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({dag_id: "tle_ingest", from_date: `${from}T00:00:00Z`, to_date: `${to}T00:00:00Z`,
                            reprocess_behavior: document.getElementById("reprocess").value,
                            max_active_runs: Number(document.getElementById("max-active").value) || 1}),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { show(`Airflow refused the backfill (HTTP ${response.status}): ${JSON.stringify(body.detail ?? body)}`, true); return; }
    show(`backfill ${body.id} of tle_ingest from ${from} to ${to} started`);
    setTimeout(load, 1500);
  } finally { button.disabled = false; }
}

document.getElementById("start").addEventListener("click", startBackfill);
document.getElementById("from").addEventListener("change", highlight);
document.getElementById("to").addEventListener("change", highlight);
load();
