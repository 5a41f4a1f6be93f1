// shardlog console: plain JavaScript, no framework and no build step. Every read and every
// change goes to /console/api/call/<Operation>, which runs the Kinesis operation through the
// server's own request path; the live view is /console/api/live (server-sent events) and the
// charts /console/api/rates.
"use strict";

const CSRF = document.querySelector('meta[name="shardlog-csrf"]').content;
const HASH_SPACE = 1n << 128n;
const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");

// ---- helpers ----

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k) e.append(k);
  return e;
}

// APIError is an answer of the Kinesis API that is not a success: its own type and text.
class APIError extends Error {
  constructor(status, type, message) {
    super((type ? type + ": " : "") + (message || "HTTP " + status));
    this.status = status;
    this.type = type;
  }
}

// call runs a Kinesis operation through the console's pass-through.
async function call(op, input) {
  const resp = await fetch("/console/api/call/" + op, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shardlog-CSRF": CSRF },
    body: JSON.stringify(input || {}),
  });
  const text = await resp.text();
  let body = {};
  try { body = text ? JSON.parse(text) : {}; } catch (_) { body = { message: text }; }
  if (!resp.ok) {
    const type = (body.__type || "").split("#").pop();
    throw new APIError(resp.status, type, body.message || body.Message || text);
  }
  return body;
}

async function getJSON(path) {
  const resp = await fetch(path, { headers: { Accept: "application/json" } });
  if (!resp.ok) throw new APIError(resp.status, "", await resp.text());
  return resp.json();
}

let toastTimer;
function toast(msg, isError) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.className = "show" + (isError ? " error" : "");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = ""; }, isError ? 7000 : 3000);
}

// act runs an action, reporting its success or the API's error.
async function act(what, fn) {
  try {
    await fn();
    toast(what);
  } catch (e) {
    toast(e.message, true);
  }
}

function confirmDialog(text, okLabel) {
  const d = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = okLabel || "Delete";
  return new Promise((resolve) => {
    d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
    d.showModal();
  });
}

function fmtBytes(n) {
  if (n === undefined || n === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}
function fmtRate(n) {
  if (!n) return "0";
  if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (n >= 1e3) return (n / 1e3).toFixed(1) + "k";
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}
// fmtTime shows a time of today as its time of day, an older one with its date.
function fmtTime(ms) {
  if (!ms) return "–";
  const t = new Date(ms);
  return t.toDateString() === new Date().toDateString() ? t.toLocaleTimeString() : t.toISOString().slice(0, 16).replace("T", " ");
}
// HEAD_TITLES explain the shard table's columns whose meaning is not plain.
const HEAD_TITLES = {
  "Records": "unexpired records, from the trim horizon to the tip",
  "On disk": "the shard's segment files: records with their framing, as stored, and expired records that share a segment with unexpired ones until the segment is deleted",
  "First arrival": "arrival time of the oldest unexpired record",
  "Last arrival": "arrival time of the newest record",
};
// READER_TITLES explain the columns of the Throughput view's readers and consumers.
const READER_TITLES = {
  "Subscriptions": "SubscribeToShard event streams open now",
  "Events/s": "SubscribeToShard events pushed a second",
  "Records/s": "records read (GetRecords) or pushed (SubscribeToShard) a second",
  "Behind latest": "GetRecords: the iterator age of the latest call; a consumer: its largest MillisBehindLatest of the last one to two minutes",
};
function shortKey(k) { return k.length > 12 ? k.slice(0, 5) + "…" + k.slice(-5) : k; }
function fraction(start, end) { // of the hash-key space, as a number in [0, 1]
  return Number(((BigInt(end) - BigInt(start) + 1n) * 1000000n) / HASH_SPACE) / 1e6;
}
function position(key) { return Number((BigInt(key) * 1000000n) / HASH_SPACE) / 1e6; }

// ---- routing ----

let current = null; // the view on screen: { stop() }

function route() {
  if (current && current.stop) current.stop();
  current = null;
  const h = decodeURIComponent(location.hash.slice(1) || "/");
  const m = h.match(/^\/stream\/([^/]+)(?:\/(\w+))?$/);
  if (m) current = streamView(m[1], m[2] || "shards");
  else current = streamsView();
}
window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", route);

// every repeats fn every ms until the view stops.
function every(ms, fn) {
  let stopped = false, timer;
  const loop = async () => {
    if (stopped) return;
    try { await fn(); } catch (e) { console.error(e); }
    if (!stopped) timer = setTimeout(loop, ms);
  };
  loop();
  return () => { stopped = true; clearTimeout(timer); };
}

// ---- Streams view ----

function streamsView() {
  crumbs.replaceChildren(el("span", { text: "Streams" }));
  const body = el("tbody", { id: "streams-body" });
  const name = el("input", { id: "new-name", placeholder: "stream name", required: true, pattern: "[a-zA-Z0-9_.\\-]+", size: 22 });
  const mode = el("select", { id: "new-mode" }, el("option", { value: "PROVISIONED", text: "Provisioned" }), el("option", { value: "ON_DEMAND", text: "On-demand" }));
  const count = el("input", { id: "new-shards", type: "number", min: 1, value: 2, size: 5 });
  mode.addEventListener("change", () => { count.disabled = mode.value === "ON_DEMAND"; });
  const form = el("form", { id: "create-form", class: "row", onsubmit: (e) => {
    e.preventDefault();
    const input = { StreamName: name.value.trim(), StreamModeDetails: { StreamMode: mode.value } };
    if (mode.value === "PROVISIONED") input.ShardCount = Number(count.value);
    act("Created " + input.StreamName, async () => { await call("CreateStream", input); name.value = ""; await refresh(); });
  } },
    el("label", {}, "Name", name), el("label", {}, "Capacity mode", mode), el("label", {}, "Shards", count),
    el("button", { type: "submit", id: "create-btn" }, "Create stream"));
  main.replaceChildren(
    el("h1", { text: "Streams" }),
    el("div", { class: "panel" }, form),
    el("div", { class: "table-wrap" }, el("table", { id: "streams" },
      el("thead", {}, el("tr", {}, ["Stream", "Status", "Mode", "Open", "Closed", "Retention", "Encryption",
        "Monitoring", "Consumers", "On disk", "In rec/s", "In B/s", "Out rec/s", "Out B/s", ""].map((h, i) =>
        el("th", { class: [3, 4, 5, 8, 9, 10, 11, 12, 13].includes(i) ? "num" : "", text: h })))),
      body)));

  async function refresh() {
    const { Streams } = await getJSON("/console/api/streams");
    if (!Streams.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 15, class: "muted", text: "No streams yet: create one above." })));
      return;
    }
    body.replaceChildren(...Streams.map((s) => {
      const r = s.Rate || [0, 0, 0, 0, 0, 0];
      return el("tr", { "data-stream": s.Name },
        el("td", {}, el("a", { href: "#/stream/" + encodeURIComponent(s.Name), text: s.Name })),
        el("td", {}, el("span", { class: "status " + s.Status, text: s.Status || "?" })),
        el("td", { text: s.Mode === "ON_DEMAND" ? "on-demand" : "provisioned" }),
        el("td", { class: "num", text: s.OpenShards }),
        el("td", { class: "num", text: s.ClosedShards }),
        el("td", { class: "num", text: s.RetentionHours + " h" }),
        el("td", { text: s.Encryption || "NONE" }),
        el("td", { text: (s.ShardLevelMetrics || []).length ? "shard-level" : "stream" }),
        el("td", { class: "num", text: s.Consumers || 0 }),
        el("td", { class: "num", text: fmtBytes(s.Bytes) }),
        el("td", { class: "num", text: fmtRate(r[1]) }), el("td", { class: "num", text: fmtRate(r[2]) }),
        el("td", { class: "num", text: fmtRate(r[3]) }), el("td", { class: "num", text: fmtRate(r[4]) }),
        el("td", {}, el("button", { class: "danger", "data-delete": s.Name, disabled: s.Status === "DELETING",
          onclick: () => deleteStream(s.Name, refresh) }, "Delete")));
    }));
  }
  return { stop: every(2000, refresh) };
}

async function deleteStream(name, then) {
  if (!await confirmDialog("Delete stream “" + name + "” and every record in it? This cannot be undone.", "Delete " + name)) return;
  await act("Deleting " + name, async () => {
    await call("DeleteStream", { StreamName: name, EnforceConsumerDeletion: true });
    if (then) await then();
  });
}

// ---- Stream view ----

function streamView(name, tab) {
  crumbs.replaceChildren(el("a", { href: "#/", text: "Streams" }), el("span", { text: name }));
  const summary = el("div", { class: "stats", id: "summary" });
  const tabs = el("div", { class: "tabs" });
  const pane = el("div", { id: "pane" });
  const views = { shards: shardsTab, live: liveTab, charts: chartsTab };
  const labels = { shards: "Shards", live: "Live records", charts: "Throughput" };
  for (const t of Object.keys(views)) {
    tabs.append(el("button", { id: "tab-" + t, class: t === tab ? "on" : "",
      onclick: () => { location.hash = "#/stream/" + encodeURIComponent(name) + "/" + t; } }, labels[t]));
  }
  main.replaceChildren(
    el("div", { class: "row" }, el("h1", { text: name }), el("span", { class: "status", id: "stream-status" }),
      el("span", { class: "spacer" }), el("button", { class: "danger", id: "delete-stream",
        onclick: () => deleteStream(name, () => { location.hash = "#/"; }) }, "Delete stream")),
    el("div", { class: "panel" }, summary), tabs, pane);
  const stopSummary = every(2000, async () => {
    const st = document.getElementById("stream-status");
    let d;
    try {
      d = (await call("DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary;
    } catch (e) {
      st.textContent = e.type === "ResourceNotFoundException" ? "NOT FOUND" : e.message;
      st.className = "status DELETING";
      return;
    }
    st.textContent = d.StreamStatus;
    st.className = "status " + d.StreamStatus;
    const mon = (d.EnhancedMonitoring || []).flatMap((m) => m.ShardLevelMetrics || []);
    summary.replaceChildren(...[
      ["ARN", d.StreamARN], ["Mode", d.StreamModeDetails ? d.StreamModeDetails.StreamMode : "PROVISIONED"],
      ["Open shards", d.OpenShardCount], ["Retention", d.RetentionPeriodHours + " hours"],
      ["Encryption", d.EncryptionType || "NONE"], ["Consumers", d.ConsumerCount || 0],
      ["Shard-level metrics", mon.length >= 7 ? "all (" + mon.length + ")" : mon.length ? mon.join(", ") : "off"],
    ].map(([k, v]) => el("div", { class: "stat" }, el("small", { text: k }), el("span", { text: String(v) }))));
    summary.dataset.retention = d.RetentionPeriodHours;
  });
  const inner = views[tab](name, pane);
  return { stop: () => { stopSummary(); if (inner && inner.stop) inner.stop(); } };
}

// ---- Shards tab: actions, hash-key bands, lineage, table ----

function shardsTab(name, pane) {
  let shards = [], selected = null, signature = "";
  const bands = svg("svg", { id: "bands", viewBox: "0 0 1000 44", preserveAspectRatio: "none", height: 44 });
  const lineage = svg("svg", { id: "lineage" });
  const tbody = el("tbody", { id: "shards-body" });
  let tableRows = 200;
  const more = el("button", { id: "more-shards", class: "secondary", hidden: true,
    onclick: () => { tableRows = Infinity; drawTable(); select(selected); showRates(); showHeld(); } });
  const sel = el("span", { id: "selected-shard", class: "mono", text: "none: click a band or a row" });
  const splitKey = el("input", { id: "split-key", placeholder: "middle of the shard", size: 42, class: "mono" });
  const target = el("input", { id: "target-count", type: "number", min: 1, size: 5 });
  const retention = el("input", { id: "retention-hours", type: "number", min: 24, max: 8760, size: 6 });
  const actions = el("div", { class: "panel" },
    el("div", { class: "row" }, el("strong", { text: "Selected shard:" }), sel),
    el("div", { class: "row" },
      el("label", {}, "Split at hash key", splitKey),
      el("button", { id: "split-btn", onclick: split }, "Split"),
      el("button", { id: "merge-btn", class: "secondary", onclick: merge }, "Merge with the next shard"),
      el("span", { class: "gap" }),
      el("label", {}, "Target shard count", target),
      el("button", { id: "scale-btn", class: "secondary", onclick: scale }, "Update shard count"),
      el("label", {}, "Retention (hours)", retention),
      el("button", { id: "retention-btn", class: "secondary", onclick: setRetention }, "Set retention")));
  pane.replaceChildren(actions,
    el("h2", { text: "Hash-key space (open shards)" }), el("div", { class: "panel" }, bands),
    el("h2", { text: "Lineage" }), el("div", { class: "panel table-wrap" }, lineage),
    el("h2", { text: "Shards" }),
    el("div", { class: "table-wrap" }, el("table", { id: "shards" },
      el("thead", {}, el("tr", {}, ["Shard", "State", "Parents", "Starting hash key", "Ending hash key", "Share",
        "Starting sequence number", "Ending sequence number", "Records", "On disk", "First arrival", "Last arrival",
        "In rec/s", "Out rec/s", "Iterator age"]
        .map((h, i) => el("th", { class: i >= 8 ? "num" : "", text: h, title: HEAD_TITLES[h] })))), tbody)),
    more);

  function openShards() {
    return shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber)
      .sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
  }
  function select(id) {
    selected = id;
    sel.textContent = id || "none: click a band or a row";
    const s = shards.find((x) => x.ShardId === id);
    splitKey.placeholder = s ? "middle: " + middle(s) : "middle of the shard";
    for (const b of bands.querySelectorAll(".band")) b.classList.toggle("selected", b.dataset.shard === id);
    for (const r of tbody.querySelectorAll("tr")) r.classList.toggle("selected", r.dataset.shard === id);
  }
  function middle(s) {
    const a = BigInt(s.HashKeyRange.StartingHashKey), b = BigInt(s.HashKeyRange.EndingHashKey);
    return ((a + b + 1n) / 2n).toString();
  }
  function needSelected() {
    const s = shards.find((x) => x.ShardId === selected && !x.SequenceNumberRange.EndingSequenceNumber);
    if (!s) throw new Error("Select an open shard first (click its band or its row).");
    return s;
  }
  function split() {
    act("Split " + selected, async () => {
      const s = needSelected();
      await call("SplitShard", { StreamName: name, ShardToSplit: s.ShardId, NewStartingHashKey: splitKey.value.trim() || middle(s) });
      splitKey.value = "";
      await refresh();
    });
  }
  function merge() {
    act("Merged " + selected + " with the next shard", async () => {
      const s = needSelected();
      const open = openShards();
      const next = open[open.findIndex((x) => x.ShardId === s.ShardId) + 1];
      if (!next) throw new Error(s.ShardId + " is the last shard of the hash-key space: select the one before it.");
      await call("MergeShards", { StreamName: name, ShardToMerge: s.ShardId, AdjacentShardToMerge: next.ShardId });
      await refresh();
    });
  }
  function scale() {
    act("Shard count going to " + target.value, async () => {
      await call("UpdateShardCount", { StreamName: name, TargetShardCount: Number(target.value), ScalingType: "UNIFORM_SCALING" });
      await refresh();
    });
  }
  function setRetention() {
    act("Retention set to " + retention.value + " hours", async () => {
      const hours = Number(retention.value);
      const now = Number(document.getElementById("summary").dataset.retention || 24);
      if (hours === now) return;
      const op = hours > now ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod";
      await call(op, { StreamName: name, RetentionPeriodHours: hours });
    });
  }

  function drawBands() {
    const open = openShards();
    bands.replaceChildren(...open.flatMap((s) => {
      const x = position(s.HashKeyRange.StartingHashKey) * 1000;
      const w = Math.max(fraction(s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey) * 1000, 0.3);
      const rect = svg("rect", { class: "band", x, y: 0, width: w, height: 44, "data-shard": s.ShardId,
        onclick: () => select(s.ShardId) },
        svg("title", { text: s.ShardId + "\n" + s.HashKeyRange.StartingHashKey + " …\n" + s.HashKeyRange.EndingHashKey }));
      return [rect];
    }));
    bands.dataset.count = open.length;
  }

  // The lineage: each shard a box under its parents, placed by its hash-key range, so a
  // split shows as two children side by side under their parent and a merge as one child
  // under two parents.
  function drawLineage() {
    const byId = new Map(shards.map((s) => [s.ShardId, s]));
    const depth = new Map();
    const depthOf = (s) => {
      if (depth.has(s.ShardId)) return depth.get(s.ShardId);
      let d = 0;
      for (const p of [s.ParentShardId, s.AdjacentParentShardId]) if (p && byId.has(p)) d = Math.max(d, depthOf(byId.get(p)) + 1);
      depth.set(s.ShardId, d);
      return d;
    };
    shards.forEach(depthOf);
    const W = Math.max(360, main.clientWidth - 40), rowH = 46, boxH = 26;
    const rows = Math.max(1, ...[...depth.values()].map((d) => d + 1));
    lineage.setAttribute("viewBox", `0 0 ${W} ${rows * rowH}`);
    lineage.setAttribute("height", rows * rowH);
    const boxes = new Map();
    for (const s of shards) {
      const x = position(s.HashKeyRange.StartingHashKey) * W + 1;
      const w = Math.max(fraction(s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey) * W - 2, 2);
      boxes.set(s.ShardId, { x, w, y: depth.get(s.ShardId) * rowH + 4 });
    }
    const edges = [];
    for (const s of shards) {
      const c = boxes.get(s.ShardId);
      for (const p of [s.ParentShardId, s.AdjacentParentShardId]) {
        const b = p && boxes.get(p);
        if (b) edges.push(svg("path", { class: "edge", d: `M${b.x + b.w / 2},${b.y + boxH} L${c.x + c.w / 2},${c.y}` }));
      }
    }
    const nodes = shards.map((s) => {
      const b = boxes.get(s.ShardId), closed = !!s.SequenceNumberRange.EndingSequenceNumber;
      const seq = s.SequenceNumberRange;
      return svg("g", { class: "node" + (closed ? " closed" : ""), "data-shard": s.ShardId },
        svg("title", { text: `${s.ShardId} (${closed ? "closed" : "open"})\nsequence numbers ${seq.StartingSequenceNumber} … ${seq.EndingSequenceNumber || "(open)"}` }),
        svg("rect", { x: b.x, y: b.y, width: b.w, height: boxH, rx: 3 }),
        b.w > 110 ? svg("text", { x: b.x + 6, y: b.y + 17, text: s.ShardId }) : null);
    });
    lineage.replaceChildren(...edges, ...nodes);
    lineage.dataset.shards = shards.length;
    lineage.dataset.closed = shards.filter((s) => s.SequenceNumberRange.EndingSequenceNumber).length;
  }

  // drawTable shows the first tableRows shards, and a button for the rest: a table of
  // thousands of rows takes the browser longer to lay out than everything else together.
  function drawTable() {
    more.hidden = shards.length <= tableRows;
    more.textContent = "Show all " + shards.length + " shards";
    tbody.replaceChildren(...shards.slice(0, tableRows).map((s) => {
      const closed = !!s.SequenceNumberRange.EndingSequenceNumber;
      return el("tr", { "data-shard": s.ShardId, class: closed ? "closed" : "", onclick: () => select(s.ShardId) },
        el("td", { class: "mono", text: s.ShardId }),
        el("td", { text: closed ? "closed" : "open" }),
        el("td", { class: "mono", text: [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean).join(", ") || "–" }),
        el("td", { class: "mono", title: s.HashKeyRange.StartingHashKey, text: shortKey(s.HashKeyRange.StartingHashKey) }),
        el("td", { class: "mono", title: s.HashKeyRange.EndingHashKey, text: shortKey(s.HashKeyRange.EndingHashKey) }),
        el("td", { class: "num", text: (fraction(s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey) * 100).toFixed(2) + " %" }),
        el("td", { class: "mono", title: s.SequenceNumberRange.StartingSequenceNumber, text: shortKey(s.SequenceNumberRange.StartingSequenceNumber) }),
        el("td", { class: "mono", title: s.SequenceNumberRange.EndingSequenceNumber || "", text: shortKey(s.SequenceNumberRange.EndingSequenceNumber || "–") }),
        el("td", { class: "num held-records", text: "–" }), el("td", { class: "num held-bytes", text: "–" }),
        el("td", { class: "num held-first", text: "–" }), el("td", { class: "num held-last", text: "–" }),
        el("td", { class: "num rate-in", text: "–" }), el("td", { class: "num rate-out", text: "–" }),
        el("td", { class: "num rate-age", text: "–" }));
    }));
  }

  async function refresh() {
    const all = [];
    let input = { StreamName: name, MaxResults: 10000 };
    for (;;) {
      const out = await call("ListShards", input);
      all.push(...out.Shards);
      if (!out.NextToken) break;
      input = { NextToken: out.NextToken, MaxResults: 10000 };
    }
    const sig = all.map((s) => s.ShardId + ":" + (s.SequenceNumberRange.EndingSequenceNumber || "")).join(",");
    if (sig === signature) return;
    signature = sig;
    shards = all;
    if (!target.value) target.value = openShards().length;
    if (!retention.value) retention.value = document.getElementById("summary").dataset.retention || 24;
    drawBands();
    drawLineage();
    drawTable();
    select(shards.some((s) => s.ShardId === selected && !s.SequenceNumberRange.EndingSequenceNumber) ? selected : null);
  }
  // showRates fills in each row's latest rates, for streams with shard-level metrics on.
  let latest = {};
  function showRates() {
    for (const r of tbody.children) {
      const p = latest[r.dataset.shard];
      r.querySelector(".rate-in").textContent = p ? fmtRate(p[1]) : "–";
      r.querySelector(".rate-out").textContent = p ? fmtRate(p[3]) : "–";
      r.querySelector(".rate-age").textContent = p ? p[5] + " ms" : "–";
    }
  }
  async function refreshRates() {
    const { Chart } = await getJSON("/console/api/rates?stream=" + encodeURIComponent(name));
    latest = {};
    for (const [id, pts] of Object.entries(Chart.Shards || {})) if (pts.length) latest[id] = pts[pts.length - 1];
    showRates();
  }
  // showHeld fills in what each shard holds: its unexpired records, its segment bytes and
  // the arrival times of its oldest and newest records.
  let held = {};
  function showHeld() {
    for (const r of tbody.children) {
      const h = held[r.dataset.shard];
      const cell = (cls, text, title) => { const c = r.querySelector(cls); c.textContent = text; c.title = title || ""; };
      if (!h || h.Error) {
        for (const cls of [".held-records", ".held-bytes", ".held-first", ".held-last"]) cell(cls, h ? "unavailable" : "–", h ? h.Error : "");
        continue;
      }
      cell(".held-records", String(h.Records));
      cell(".held-bytes", fmtBytes(h.Bytes), h.Bytes + " bytes");
      cell(".held-first", fmtTime(h.FirstArrivalMs), h.FirstArrivalMs ? new Date(h.FirstArrivalMs).toISOString() : "");
      cell(".held-last", fmtTime(h.LastArrivalMs), h.LastArrivalMs ? new Date(h.LastArrivalMs).toISOString() : "");
    }
  }
  async function refreshHeld() {
    const { Shards } = await getJSON("/console/api/shards?stream=" + encodeURIComponent(name));
    held = {};
    for (const h of Shards) held[h.ShardID] = h;
    showHeld();
  }
  const stopShards = every(2500, async () => { await refresh(); showRates(); await refreshHeld(); });
  const stopRates = every(2000, refreshRates);
  return { stop: () => { stopShards(); stopRates(); } };
}

// ---- Live records tab ----

const FORMATS = ["auto", "text", "json", "hex", "base64"];

function b64ToBytes(b64) {
  const bin = atob(b64 || "");
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function bytesToB64(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
const utf8 = new TextDecoder("utf-8", { fatal: true });

// detect chooses how to show a record's data: JSON when it parses as an object or array,
// text when it is printable UTF-8, else hex for short data and base64 for long.
function detect(bytes) {
  let text = null;
  try { text = utf8.decode(bytes); } catch (_) { /* not UTF-8 */ }
  if (text !== null) {
    const t = text.trim();
    if ((t.startsWith("{") || t.startsWith("[")) && t.length > 1) {
      try { JSON.parse(t); return "json"; } catch (_) { /* text */ }
    }
    if (!/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)) return "text";
  }
  return bytes.length <= 64 ? "hex" : "base64";
}

function render(bytes, fmt) {
  switch (fmt) {
    case "json":
      try { return JSON.stringify(JSON.parse(utf8.decode(bytes)), null, 2); } catch (_) { return render(bytes, "text"); }
    case "text":
      return new TextDecoder("utf-8").decode(bytes);
    case "hex":
      return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
    default:
      return bytesToB64(bytes);
  }
}

function liveTab(name, pane) {
  const from = el("select", { id: "live-from" }, ["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER"]
    .map((v) => el("option", { value: v, text: v })));
  const at = el("input", { id: "live-at", placeholder: "2026-12-05T10:00:00Z or a sequence number", size: 34 });
  const fmtSel = el("select", { id: "live-format" }, FORMATS.map((f) => el("option", { value: f, text: f === "auto" ? "auto" : f })));
  const filter = el("input", { id: "live-filter", placeholder: "partition key or text", size: 24 });
  const pauseBtn = el("button", { id: "live-pause", class: "secondary" }, "Pause");
  const state = el("span", { id: "live-state", class: "muted" });
  const list = el("div", { id: "records" });
  const pk = el("input", { id: "put-key", placeholder: "partition key", size: 18, value: "console" });
  const ehk = el("input", { id: "put-ehk", placeholder: "explicit hash key (optional)", size: 26 });
  const data = el("textarea", { id: "put-data", placeholder: '{"hello": "world"}', rows: 2 });
  const putForm = el("form", { id: "put-form", onsubmit: (e) => {
    e.preventDefault();
    const input = { StreamName: name, PartitionKey: pk.value, Data: bytesToB64(new TextEncoder().encode(data.value)) };
    if (ehk.value.trim()) input.ExplicitHashKey = ehk.value.trim();
    act("Record put", async () => {
      const out = await call("PutRecord", input);
      toast("Put into " + out.ShardId + " at " + out.SequenceNumber);
    });
  } }, el("div", { class: "row" }, el("label", {}, "Partition key", pk), el("label", {}, "Explicit hash key", ehk)),
  el("label", { class: "wide" }, "Data (UTF-8)", data), el("div", { class: "row" }, el("button", { type: "submit", id: "put-btn" }, "Put record")));

  pane.replaceChildren(
    el("div", { class: "panel" }, el("div", { class: "row" },
      el("label", {}, "Start at", from), el("label", {}, "Time or sequence number", at),
      el("button", { id: "live-start", onclick: () => start() }, "Restart"),
      pauseBtn, el("label", {}, "Show data as", fmtSel), el("label", {}, "Filter", filter), state)),
    list,
    el("h2", { text: "Put a record" }), el("div", { class: "panel" }, putForm));

  let source = null, paused = false, held = [], received = 0, reading = [], behind = {};
  const MAX_ROWS = 2000, MAX_HELD = 20000;

  function matches(r, text) {
    const q = filter.value.trim();
    return !q || r.PartitionKey.includes(q) || text.includes(q);
  }
  function row(r) {
    const bytes = b64ToBytes(r.Data);
    const auto = detect(bytes);
    let fmt = fmtSel.value === "auto" ? auto : fmtSel.value;
    const pre = el("pre", { class: "data", text: render(bytes, fmt) });
    const badge = el("button", { class: "fmt", title: "click to switch", text: fmt });
    badge.addEventListener("click", () => {
      fmt = FORMATS[(FORMATS.indexOf(fmt) % 4) + 1] || "text";
      badge.textContent = fmt;
      pre.textContent = render(bytes, fmt);
    });
    const t = new Date(r.ArrivalMs);
    return el("div", { class: "rec", "data-format": fmt, "data-key": r.PartitionKey },
      el("div", { class: "meta" }, t.toLocaleTimeString(), el("br"), t.toISOString().slice(0, 10)),
      el("div", { class: "meta mono", title: r.Seq }, r.Shard, el("br"), shortKey(r.Seq) + (r.Sub !== undefined ? " #" + r.Sub : "")),
      el("div", { class: "meta mono", title: r.PartitionKey, text: r.PartitionKey }),
      el("div", {}, badge, pre));
  }
  function show(records) {
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 30;
    const frag = document.createDocumentFragment();
    for (const r of records) {
      const node = row(r);
      node.hidden = !matches(r, node.querySelector("pre").textContent);
      frag.append(node);
    }
    list.append(frag);
    while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
  function status() {
    const lag = Object.values(behind);
    state.textContent = `${received} records · reading ${reading.length} shard${reading.length === 1 ? "" : "s"}` +
      (lag.length ? ` · ${Math.max(...lag)} ms behind` : "") + (paused ? ` · paused, ${held.length} held` : "");
  }
  function start() {
    if (source) source.close();
    list.replaceChildren();
    held = []; received = 0;
    let atValue = at.value.trim();
    if (from.value === "AT_TIMESTAMP") {
      const ms = Date.parse(atValue);
      if (isNaN(ms)) { toast("AT_TIMESTAMP needs a time, such as 2026-12-05T10:00:00Z", true); return; }
      atValue = String(ms / 1000);
    }
    const q = new URLSearchParams({ stream: name, from: from.value, at: atValue });
    source = new EventSource("/console/api/live?" + q);
    source.addEventListener("records", (e) => {
      const m = JSON.parse(e.data);
      received += m.Records.length;
      behind = m.Behind || {};
      if (paused) {
        held.push(...m.Records);
        if (held.length > MAX_HELD) held.splice(0, held.length - MAX_HELD);
      } else show(m.Records);
      status();
    });
    source.addEventListener("shards", (e) => { reading = JSON.parse(e.data).Reading; status(); });
    source.addEventListener("behind", (e) => { behind = JSON.parse(e.data).Behind || {}; status(); });
    source.addEventListener("failure", (e) => { toast(JSON.parse(e.data).Error, true); source.close(); });
    state.textContent = "connecting…";
  }
  pauseBtn.addEventListener("click", () => {
    paused = !paused;
    pauseBtn.textContent = paused ? "Resume" : "Pause";
    if (!paused) { const h = held; held = []; show(h); }
    status();
  });
  filter.addEventListener("input", () => {
    for (const n of list.children) {
      const q = filter.value.trim();
      n.hidden = !!q && !n.dataset.key.includes(q) && !n.querySelector("pre").textContent.includes(q);
    }
  });
  fmtSel.addEventListener("change", () => start());
  start();
  return { stop: () => { if (source) source.close(); } };
}

// ---- Throughput tab ----

function chartsTab(name, pane) {
  const shardSel = el("select", { id: "chart-shard" }, el("option", { value: "", text: "the whole stream" }));
  const note = el("p", { class: "muted", id: "chart-note" });
  const charts = el("div", { class: "grid", id: "charts" });
  const monitorBtn = el("button", { class: "secondary", id: "enable-shard-metrics", onclick: () =>
    act("Shard-level metrics on", () => call("EnableEnhancedMonitoring", { StreamName: name, ShardLevelMetrics: ["ALL"] })) },
  "Turn on shard-level metrics");
  const readers = el("tbody", { id: "readers-body" });
  pane.replaceChildren(el("div", { class: "panel" }, el("div", { class: "row" },
    el("label", {}, "Show", shardSel), monitorBtn, note)), charts,
  el("h2", { text: "Readers and consumers" }),
  el("div", { class: "table-wrap" }, el("table", { id: "readers" },
    el("thead", {}, el("tr", {}, ["Reader", "Subscriptions", "Events/s", "Records/s", "Bytes/s", "Behind latest"].map((h, i) =>
      el("th", { class: i ? "num" : "", text: h, title: READER_TITLES[h] })))), readers)));

  // drawReaders shows the GetRecords readers of the stream as one row (the iterator age of
  // the latest call) and each enhanced fan-out consumer as a row of its own.
  function drawReaders(Chart) {
    const last = Chart.Stream.length ? Chart.Stream[Chart.Stream.length - 1] : null;
    const rows = [el("tr", { "data-reader": "GetRecords" },
      el("td", { text: "GetRecords (shared throughput)" }), el("td", { class: "num", text: "–" }),
      el("td", { class: "num", text: "–" }),
      el("td", { class: "num", text: last ? fmtRate(last[3]) : "–" }),
      el("td", { class: "num", text: last ? fmtRate(last[4]) : "–" }),
      el("td", { class: "num behind", title: "iterator age of the latest GetRecords call", text: last ? last[5] + " ms" : "–" }))];
    for (const [consumer, p] of Object.entries(Chart.Consumers || {}).sort()) {
      rows.push(el("tr", { "data-consumer": consumer },
        el("td", { text: consumer + " (enhanced fan-out)" }), el("td", { class: "num", text: p[5] }),
        el("td", { class: "num", text: fmtRate(p[1]) }), el("td", { class: "num", text: fmtRate(p[2]) }),
        el("td", { class: "num", text: fmtRate(p[3]) }),
        el("td", { class: "num behind", title: "the largest MillisBehindLatest of the events of the last one to two minutes", text: p[4] + " ms" })));
    }
    readers.replaceChildren(...rows);
  }

  // line draws one series over the 15 minutes up to now; a lone point is a dot.
  function line(points, idx, scale, W, H, cls) {
    if (!points.length) return null;
    const t0 = Date.now() - 15 * 60 * 1000;
    const xy = points.map((p) => [Math.max(0, ((p[0] - t0) / (15 * 60 * 1000)) * W), H - (p[idx] / scale) * (H - 14)]);
    if (xy.length === 1) return svg("circle", { class: cls, cx: xy[0][0], cy: xy[0][1], r: 2.5 });
    return svg("path", { class: cls, d: xy.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join(" ") });
  }
  function chart(title, points, series, unit) {
    const W = 460, H = 140;
    const top = Math.max(0, ...points.flatMap((p) => series.map(([i]) => p[i])));
    const peak = Math.max(top, 1e-9);
    return el("div", { class: "panel" },
      el("div", { class: "row" }, el("strong", { text: title }), el("span", { class: "legend" },
        series.map(([, cls, label]) => el("span", { class: cls, text: "■ " + label })))),
      svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H + 14}`, "data-points": points.length,
        "data-peak": top },
        [0.25, 0.5, 0.75].map((f) => svg("line", { class: "grid", x1: 0, x2: W, y1: H * f, y2: H * f })),
        ...series.map(([i, cls]) => line(points, i, peak, W, H, cls)),
        svg("text", { x: 2, y: 10, text: "peak " + fmtRate(top) + unit }),
        svg("text", { x: 2, y: H + 12, text: "−15 min" }), svg("text", { x: W - 24, y: H + 12, text: "now" })));
  }
  async function refresh() {
    const { Enabled, Chart } = await getJSON("/console/api/rates?stream=" + encodeURIComponent(name));
    if (!Enabled) { note.textContent = "The server keeps no counters, so there are no charts."; return; }
    const ids = Object.keys(Chart.Shards || {}).sort();
    monitorBtn.hidden = ids.length > 0;
    note.textContent = ids.length ? "" : "Per-shard charts need shard-level metrics (EnableEnhancedMonitoring).";
    const have = new Set([...shardSel.options].map((o) => o.value));
    for (const id of ids) if (!have.has(id)) shardSel.append(el("option", { value: id, text: id }));
    const pts = shardSel.value ? (Chart.Shards || {})[shardSel.value] || [] : Chart.Stream;
    charts.replaceChildren(
      chart("Records/s", pts, [[1, "in", "incoming"], [3, "out", "outgoing"]], "/s"),
      chart("Bytes/s", pts, [[2, "in", "incoming"], [4, "out", "outgoing"]], " B/s"),
      chart("Iterator age (MillisBehindLatest of the latest GetRecords)", pts, [[5, "age", "ms behind"]], " ms"));
    drawReaders(Chart);
  }
  shardSel.addEventListener("change", refresh);
  return { stop: every(2000, refresh) };
}
