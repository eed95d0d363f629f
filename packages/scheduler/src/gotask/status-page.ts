/**
 * The live status page: one self-contained HTML document (inline style and script, no build
 * step, nothing fetched from elsewhere) that follows `/status/stream` (server-sent events, one
 * StatusDocument per message) and falls back to polling `/status.json` without EventSource.
 * Every value is written with textContent, never parsed as HTML: task names, messages and
 * stderr come from the application.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mesosgot status</title>
<style>
  :root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --wait: #9a6700; --mute: #6e7781; }
  body { font: 13px/1.45 system-ui, sans-serif; margin: 16px 20px; }
  h1 { font-size: 17px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 18px 0 6px; }
  .meta { color: var(--mute); } .meta b { color: inherit; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid rgba(128,128,128,.27); white-space: nowrap; }
  th { font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .phase-running, .phase-finished, .alloc-launched { color: var(--ok); }
  .phase-failed, .phase-lost, .phase-killed { color: var(--bad); }
  .phase-pending, .phase-launching, .phase-launched, .alloc-pending, .alloc-waiting { color: var(--wait); }
  .totals span { display: inline-block; margin-right: 22px; } .totals b { font-size: 16px; }
  pre { background: rgba(128,128,128,.07); padding: 6px 8px; overflow: auto; max-height: 240px; margin: 4px 0 10px; }
  #events { max-height: 320px; overflow: auto; } #events td:first-child { color: var(--mute); }
  .live { color: var(--ok); } .stale { color: var(--bad); }
</style>
</head>
<body>
<h1>mesosgot · <span id="name"></span></h1>
<div class="meta">framework <b id="fid">–</b> · master <b id="master">–</b> · <span id="conn"></span> · allocation <b id="alloc">–</b> <span id="reason"></span> · <span id="live" class="stale">connecting…</span></div>
<h2>Totals</h2>
<div class="totals" id="totals"></div>
<h2>Tasks</h2>
<table id="tasks"><thead><tr><th>task</th><th>state</th><th>agent</th><th class="n">restarts</th><th class="n">msgs/s in</th><th class="n">msgs/s out</th><th class="n">bytes/s in</th><th class="n">bytes/s out</th><th class="n">msgs in</th><th class="n">msgs out</th></tr></thead><tbody></tbody></table>
<h2>Links</h2>
<table id="links"><thead><tr><th>executor</th><th>agent</th><th>path</th><th class="n">frames out</th><th class="n">frames in</th><th class="n">resent</th><th>stream</th><th class="n">backlog</th><th class="n">credit</th><th class="n">blocked sends</th><th class="n">unread</th></tr></thead><tbody></tbody></table>
<div id="failures"></div>
<h2>Events</h2>
<div id="events"><table><tbody></tbody></table></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (n) => n >= 1e6 ? (n / 1e6).toFixed(2) + " M" : n >= 1e4 ? (n / 1e3).toFixed(1) + " k" : (Math.round(n * 10) / 10).toString();
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
function render(d) {
  $("name").textContent = d.framework.name;
  $("fid").textContent = d.framework.id || "–";
  $("master").textContent = d.framework.master || "–";
  $("conn").textContent = d.framework.connected ? "connected" : "not connected";
  $("alloc").textContent = d.allocation.state; $("alloc").className = "alloc-" + d.allocation.state;
  $("reason").textContent = d.allocation.reason ? "— " + d.allocation.reason : "";
  const t = d.totals, totals = $("totals"); totals.textContent = "";
  for (const [label, value] of [["msgs/s in", t.msgsInRate], ["msgs/s out", t.msgsOutRate], ["bytes/s in", t.bytesInRate], ["bytes/s out", t.bytesOutRate], ["msgs in", t.msgsIn], ["msgs out", t.msgsOut]]) {
    const span = document.createElement("span"); const b = document.createElement("b"); b.textContent = fmt(value);
    span.append(b, " " + label); span.dataset.total = label; totals.append(span);
  }
  const tasks = $("tasks").tBodies[0]; tasks.textContent = "";
  for (const r of d.tasks) {
    const row = tasks.insertRow(); row.dataset.task = r.id; row.dataset.phase = r.phase;
    cell(row, r.id); cell(row, r.phase, "phase-" + r.phase); cell(row, r.hostname ? r.hostname + " " + (r.agentId || "") : (r.agentId || "–"));
    cell(row, String(r.restarts), "n");
    for (const v of [r.msgsInRate, r.msgsOutRate, r.bytesInRate, r.bytesOutRate, r.msgsIn, r.msgsOut]) cell(row, fmt(v), "n");
  }
  const links = $("links").tBodies[0]; links.textContent = "";
  for (const l of d.links) {
    const streams = l.streams.length ? l.streams : [null];
    streams.forEach((s, i) => {
      const row = links.insertRow();
      for (const v of i === 0 ? [l.executorId, l.agentId, l.path] : ["", "", ""]) cell(row, v);
      for (const v of i === 0 ? [l.framesSent, l.framesReceived, l.messagesResent] : ["", "", ""]) cell(row, v === "" ? "" : fmt(v), "n");
      cell(row, s ? s.stream : "–");
      for (const v of s ? [s.backlog, s.credit, s.blockedSends, s.unread] : ["", "", "", ""]) cell(row, String(v), "n");
    });
  }
  const failures = $("failures"); failures.textContent = "";
  for (const r of d.tasks.filter((x) => x.failure)) {
    const h = document.createElement("h2"); h.textContent = "Failed: " + r.id;
    const pre = document.createElement("pre"); pre.textContent = r.failure; failures.append(h, pre);
  }
  const events = $("events").querySelector("tbody"); events.textContent = "";
  for (const e of d.events.slice().reverse()) {
    const row = events.insertRow(); cell(row, new Date(e.time).toLocaleTimeString()); cell(row, e.type); cell(row, e.text);
  }
  $("live").textContent = "live · " + new Date(d.time).toLocaleTimeString(); $("live").className = "live";
}
function poll() { fetch("status.json").then((r) => r.json()).then(render).catch(() => { $("live").textContent = "disconnected"; $("live").className = "stale"; }).finally(() => setTimeout(poll, 1000)); }
if (window.EventSource) {
  const source = new EventSource("status/stream");
  source.onmessage = (m) => render(JSON.parse(m.data));
  source.onerror = () => { $("live").textContent = "reconnecting…"; $("live").className = "stale"; };
} else poll();
</script>
</body>
</html>
`;
