// The calendar of days: states from api/calendar, selection, and backfills through Airflow's REST API.
// Every text that comes from the server (run ids, DAG ids, states, reasons) is set with textContent.
const CLASS = {"computed": "computed", "old snapshot": "old", "incomplete": "incomplete", "failed": "failed",
               "missing": "missing", "running": "running"};
const REPROCESS = ["none", "failed", "completed"];
const MAX_ACTIVE = {min: 1, max: 16};
let days = [], byDay = {}, anchor = null, pollTimer = null, opened = false, backfill = null, backfillTimer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value; else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const dayHref = day => `${ROOT}/day/${day}?group=${encodeURIComponent(GROUP)}`;

async function load() {
  const response = await fetch(`${ROOT}/api/calendar?group=${encodeURIComponent(GROUP)}`, {credentials: "same-origin"});
  if (!response.ok) { show(`The calendar could not be read (HTTP ${response.status}).`, true); return; }
  const body = await response.json();
  days = body.days; byDay = Object.fromEntries(days.map(d => [d.day, d]));
  render();
  if (anchor && byDay[anchor]) detail();
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
    const grid = el("div", {class: "grid"});
    for (const name of ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]) grid.append(el("span", {class: "dow", text: name}));
    const weekday = (new Date(list[0].day + "T00:00:00Z").getUTCDay() + 6) % 7;
    for (let i = 0; i < weekday; i++) grid.append(el("span", {class: "day outside"}));
    for (const d of list) {
      const cell = el("span", {class: `day ${CLASS[d.state] || "missing"}`, text: String(Number(d.day.slice(8)))});
      if (d.state === "missing" && d.computable) cell.classList.add("computable");
      if (d.continuity_alert) cell.classList.add("low-continuity");
      if (d.sun_outages.length) cell.classList.add("sun-outage");
      cell.dataset.day = d.day; cell.dataset.state = d.state;
      cell.title = describe(d);
      cell.addEventListener("click", e => select(d.day, e.shiftKey));
      cell.addEventListener("dblclick", () => { window.location.href = dayHref(d.day); });
      grid.append(cell);
    }
    const box = el("div", {class: "month"}, el("h3", {text: month}), grid);
    box.dataset.month = month;
    months.append(box);
  }
  highlight();
  if (!opened) {  // open on the most recent month with a computed day
    opened = true;
    const latest = days.filter(d => d.state === "computed" || d.state === "old snapshot").at(-1);
    const box = latest && months.querySelector(`.month[data-month="${latest.day.slice(0, 7)}"]`);
    if (box) { box.classList.add("opened"); box.scrollIntoView({block: "start"}); }
  }
}

function describe(d) {
  let text = `${d.day}: ${d.state}`;
  if (d.snapshot_id !== null) text += `, snapshot ${d.snapshot_id}, ${d.snapshot_age_days?.toFixed(1)} days old${d.age_override ? " (limit overridden)" : ""}`;
  if (d.state !== "computed" && d.reason) text += `\n${d.reason}`;
  if (d.alert) text += `\nlast failure: ${d.alert}`;
  for (const line of d.sun_outages) text += `\n${line}`;
  if (d.continuity_percent !== null) text += `\ncontact plan: one link ${d.continuity_percent.toFixed(3)} % of the day${d.continuity_alert ? " (under the alert threshold)" : ""}`;
  for (const r of d.runs) text += `\n${r.dag_id}: ${r.state} (${r.run_id})`;
  return text;
}

function select(day, extend) {
  const from = document.getElementById("from"), to = document.getElementById("to");
  if (extend && anchor) { [from.value, to.value] = anchor <= day ? [anchor, day] : [day, anchor]; }
  else { anchor = day; from.value = day; to.value = day; }
  highlight();
  detail();
}

// The selected day (or range): each day's own reason, its runs, and only the actions that can work.
function detail() {
  const box = document.getElementById("detail"), day = anchor, d = byDay[day];
  box.replaceChildren();
  if (!d) return;
  const head = el("p", {}, el("b", {text: day}), `: ${d.state} · `, el("a", {href: dayHref(day), text: "open the day page"}));
  const reason = el("p", {id: "day-reason", text: d.reason});
  box.append(head, reason);
  if (d.alert) box.append(el("p", {id: "day-alert", class: "error", text: `Last failure: ${d.alert}`}));
  const actions = el("p", {id: "day-actions"});
  if (d.actions.includes("trigger") && !d.actions.includes("backfill")) {
    actions.append("Trigger ", el("a", {href: `${AIRFLOW_ROOT}/dags/tle_ingest`, target: "_top", text: "tle_ingest"}),
                   ` with the day parameter ${day} to compute it.`);
  }
  if (d.actions.includes("import")) actions.append(`Import a snapshot acquired before ${day} 00:00 UTC (make import FILES=...), then backfill the day. `);
  if (d.actions.includes("override")) actions.append("Or trigger tle_ingest with max_snapshot_age_days to accept older elements (recorded as an override). ");
  if (!d.actions.length) actions.append("Nothing can compute this day now.");
  if (actions.childNodes.length) box.append(actions);
  if (d.runs.length) {
    const table = el("table", {}, el("tr", {}, el("th", {text: "DAG"}), el("th", {text: "run"}), el("th", {text: "state"})));
    for (const r of d.runs) {
      table.append(el("tr", {}, el("td", {text: r.dag_id}),
                      el("td", {}, el("a", {target: "_top", href: r.href, text: r.run_id})), el("td", {text: r.state})));
    }
    box.append(table);
  }
  offer();
}

function highlight() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  for (const cell of document.querySelectorAll(".day[data-day]")) {
    cell.classList.toggle("selected", Boolean(from && to && cell.dataset.day >= from && cell.dataset.day <= to));
  }
}

function selectedDays() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  return days.filter(d => d.day >= from && d.day <= to);
}

// The backfill button works only when every selected day can be backfilled and no backfill is open.
function offer() {
  const button = document.getElementById("start"), problems = validate();
  button.disabled = Boolean(problems.length) || Boolean(backfill && !backfill.completed_at);
  button.title = problems.join("\n");
  document.getElementById("problems").textContent = document.getElementById("from").value ? problems.join("; ") : "";
}

// Every field checked before anything is sent: a list of what is wrong, in plain words.
function validate() {
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  const maxActive = document.getElementById("max-active").value.trim(), reprocess = document.getElementById("reprocess").value;
  const problems = [], iso = /^\d{4}-\d{2}-\d{2}$/;
  if (!iso.test(from) || !byDay[from]) problems.push(`From: choose a day of the calendar (${days[0]?.day} to ${days.at(-1)?.day})`);
  if (!iso.test(to) || !byDay[to]) problems.push(`To: choose a day of the calendar (${days[0]?.day} to ${days.at(-1)?.day})`);
  if (!problems.length && from > to) problems.push("From must be on or before To");
  if (!/^\d+$/.test(maxActive) || Number(maxActive) < MAX_ACTIVE.min || Number(maxActive) > MAX_ACTIVE.max) {
    problems.push(`Max active runs must be a whole number from ${MAX_ACTIVE.min} to ${MAX_ACTIVE.max} (it is "${maxActive}")`);
  }
  if (!REPROCESS.includes(reprocess)) problems.push("Runs to create: choose one of the listed choices");
  if (!problems.length) {
    const cannot = selectedDays().filter(d => !d.actions.includes("backfill"));
    if (cannot.length) {
      const first = cannot[0];
      problems.push(`A backfill cannot compute ${cannot.length === 1 ? first.day : `${cannot.length} of the selected days (${cannot.map(d => d.day).slice(0, 3).join(", ")}${cannot.length > 3 ? ", ..." : ""})`}: ${first.reason}`);
    }
  }
  return problems;
}

function show(text, error = false) {
  const status = document.getElementById("status");
  status.textContent = text; status.className = error ? "error" : "";
}

// Airflow's answer to a refused request, in plain words.
function refusal(status, body) {
  const detail = body?.detail ?? body;
  let said = typeof detail === "string" ? detail
    : Array.isArray(detail) ? detail.map(e => `${(e.loc || []).filter(p => p !== "body").join(".")}: ${e.msg}`).join("; ")
    : detail?.reason ?? detail?.message ?? JSON.stringify(detail);
  if (status === 401) return `Airflow refused the backfill: you are not logged in (any more). Log in again and retry. (${said})`;
  if (status === 403) return `Airflow refused the backfill: your login may not create backfills of tle_ingest; ask an administrator. (${said})`;
  if (status === 409) return `Airflow refused the backfill: a backfill of tle_ingest is still open, and Airflow runs one at a time. Wait until it finishes (its status shows here), or cancel it. (${said})`;
  if (status === 422 || status === 400) return `Airflow refused the backfill as invalid: ${said}`;
  return `Airflow refused the backfill (HTTP ${status}): ${said}`;
}

async function startBackfill() {
  const problems = validate();
  if (problems.length) { show(problems.join("; "), true); return; }
  const from = document.getElementById("from").value, to = document.getElementById("to").value;
  const button = document.getElementById("start"); button.disabled = true;
  try {
    const response = await fetch(`${AIRFLOW_ROOT}/api/v2/backfills`, {
      method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({dag_id: "tle_ingest", from_date: `${from}T00:00:00Z`, to_date: `${to}T00:00:00Z`,
                            reprocess_behavior: document.getElementById("reprocess").value,
                            max_active_runs: Number(document.getElementById("max-active").value)}),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      show(refusal(response.status, body), true);
      if (response.status === 409) await findOpenBackfill();
      return;
    }
    follow(body);
    setTimeout(load, 1500);
  } catch (error) {
    show(`The backfill could not be sent to Airflow: ${error.message}`, true);
  } finally { offer(); }
}

// The backfill's status, read from Airflow until it is finished.
function follow(found) {
  backfill = found;
  clearTimeout(backfillTimer);
  const from = found.from_date.slice(0, 10), to = found.to_date.slice(0, 10);
  const range = days.filter(d => d.day >= from && d.day <= to);
  const done = range.filter(d => d.state === "computed" || d.state === "old snapshot").length;
  const running = range.some(d => d.state === "running");
  const what = `Backfill ${found.id} of tle_ingest, ${from} to ${to}`;
  const cancel = document.getElementById("cancel");
  if (found.completed_at && !running) {
    show(`${what}: finished at ${found.completed_at.slice(0, 19).replace("T", " ")} UTC; ${done} of ${range.length} days computed` +
         (done < range.length ? " (the others: see each day)" : "") + ".");
    cancel.hidden = true;
  } else {
    show(`${what}: ${found.completed_at ? "its ingest runs are done, coverage and passes still running" : found.is_paused ? "paused" : "started, running"}; ${done} of ${range.length} days computed so far.`);
    cancel.hidden = Boolean(found.completed_at);
    backfillTimer = setTimeout(() => refresh(found.id), 3000);
  }
  offer();
}

async function refresh(id) {
  const response = await fetch(`${AIRFLOW_ROOT}/api/v2/backfills/${id}`, {credentials: "same-origin"});
  if (!response.ok) { show(`The status of backfill ${id} could not be read (HTTP ${response.status}).`, true); return; }
  await load();
  follow(await response.json());
}

async function findOpenBackfill() {
  const response = await fetch(`${AIRFLOW_ROOT}/api/v2/backfills?dag_id=tle_ingest&order_by=-id&limit=1`, {credentials: "same-origin"});
  if (!response.ok) return;
  const [latest] = (await response.json()).backfills ?? [];
  if (latest && !latest.completed_at) {
    const status = document.getElementById("status").textContent;
    follow(latest);
    if (status) show(`${status} ${document.getElementById("status").textContent}`, true);
  }
}

async function cancelBackfill() {
  if (!backfill) return;
  const response = await fetch(`${AIRFLOW_ROOT}/api/v2/backfills/${backfill.id}/cancel`, {method: "PUT", credentials: "same-origin"});
  const body = await response.json().catch(() => ({}));
  if (!response.ok) { show(refusal(response.status, body).replace("the backfill", "the cancellation"), true); return; }
  follow(body);
}

document.getElementById("start").addEventListener("click", startBackfill);
document.getElementById("cancel").addEventListener("click", cancelBackfill);
for (const id of ["from", "to", "max-active", "reprocess"]) {
  document.getElementById(id).addEventListener("input", () => { highlight(); offer(); });
}
load().then(findOpenBackfill);
