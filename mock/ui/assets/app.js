// The mock's dashboard. Every piece of data reaches the page through textContent (el()
// below): nothing from the server is ever parsed as HTML.
"use strict";
(function () {
  const BASE = "/__mock/ui/api/";
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const POLL_MS = 500;
  const $ = (id) => document.getElementById(id);

  // el builds an element; strings and numbers among the children become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fill(node, ...children) { clear(node); for (const c of children.flat()) if (c) node.appendChild(c instanceof Node ? c : document.createTextNode(String(c))); }

  async function api(path, opts) {
    opts = opts || {};
    const headers = { "Accept": "application/json" };
    if (opts.method && opts.method !== "GET") headers["X-CSRF-Token"] = CSRF;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(BASE + path, { method: opts.method || "GET", headers, credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    if (res.status === 401) { location.href = "/__mock/ui/login"; throw new Error("login required"); }
    const text = await res.text();
    let doc = null;
    try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
    if (!res.ok) {
      const msg = doc && doc.error ? doc.error.code + ": " + doc.error.message : "HTTP " + res.status;
      throw new Error(msg);
    }
    return doc;
  }

  function flash(msg, bad) {
    const f = $("flash");
    fill(f, el("p", { class: bad ? "error" : "ok" }, msg));
    clearTimeout(flash.t);
    flash.t = setTimeout(() => clear(f), 6000);
  }

  const fmtTime = (s) => (s ? String(s).replace("T", " ").replace(/\.\d+Z$|Z$/, "Z") : "");
  const statusClass = (s) => (s === 0 ? "s0" : "s" + Math.floor(s / 100));
  function pretty(v) { try { return JSON.stringify(v, null, 2); } catch (e) { return String(v); } }
  function dl(pairs) {
    const d = el("dl");
    for (const [k, v] of pairs) { if (v === undefined || v === null || v === "") continue; d.appendChild(el("dt", {}, k)); d.appendChild(el("dd", {}, v)); }
    return d;
  }
  // Rows are selectable with the mouse and the keyboard (Enter or Space).
  function selectable(tr, fn) {
    tr.tabIndex = 0;
    tr.addEventListener("click", () => fn.call(tr));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); fn.call(tr); } });
    return tr;
  }
  // changed tells whether a view's data differs from what it last rendered (re-rendering
  // the same data would take the keyboard focus away every poll).
  const seen = {};
  function changed(slot, ...data) { const k = JSON.stringify(data); if (seen[slot] === k) return false; seen[slot] = k; return true; }
  function mark(tbody, tr) { for (const r of tbody.querySelectorAll("tr.sel")) r.classList.remove("sel"); tr.classList.add("sel"); }

  // ---- tabs ----
  const tabs = ["requests", "state", "webhooks", "faults", "clock"];
  let active = "requests";
  function show(name) {
    active = name;
    for (const t of tabs) {
      const on = t === name;
      $("tab-" + t).setAttribute("aria-selected", on ? "true" : "false");
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("panel-" + t).hidden = !on;
    }
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    tick(true);
  }
  for (const t of tabs) $("tab-" + t).addEventListener("click", () => show(t));
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    const i = tabs.indexOf(active);
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    if (e.key === "ArrowLeft") j = (i + tabs.length - 1) % tabs.length;
    if (j >= 0) { e.preventDefault(); show(tabs[j]); $("tab-" + tabs[j]).focus(); }
  });

  // ---- header: health, clock, reset, logout ----
  let clockDoc = null;
  async function refreshHeader() {
    const [h, c] = await Promise.all([api("control/health"), api("control/clock")]);
    fill($("health"), "v" + h.version + " · spec " + h.specVersion + " · limits " + h.limits + (h.strict ? " · strict" : ""));
    clockDoc = c;
    for (const id of ["clock-now", "clock-now2"]) fill($(id), fmtTime(c.now));
    for (const id of ["clock-mode", "clock-mode2"]) fill($(id), c.mode);
    const manual = c.mode === "manual";
    for (const f of ["clock-advance", "clock-set"]) for (const x of $(f).elements) x.disabled = !manual;
    fill($("clock-hint"), manual ? "Time moves only when you move it: limits, webhook retries and latency faults wait for it." :
      "The clock is real: start the mock with --clock manual to move it from here.");
  }
  $("reset").addEventListener("click", async () => {
    if (!confirm("Reset the mock to its fixtures? The journal, fault rules, limiter counters and sinks are cleared.")) return;
    try { await api("control/reset", { method: "POST" }); flash("The mock is back to its fixtures."); reqKey = ""; tick(true); }
    catch (e) { flash(e.message, true); }
  });
  if ($("logout")) $("logout").addEventListener("click", async () => {
    await fetch("/__mock/ui/logout", { method: "POST", headers: { "X-CSRF-Token": CSRF }, credentials: "same-origin" });
    location.href = "/__mock/ui/login";
  });

  // ---- requests ----
  const REQ_PAGE = 100;
  let reqOffset = 0, reqKey = "", reqSelected = null;
  function reqQuery() {
    const p = new URLSearchParams();
    for (const x of $("req-filters").elements) {
      if (!x.name) continue;
      if (x.type === "checkbox") { if (x.checked) p.set(x.name, "1"); }
      else if (x.value) p.set(x.name, x.value.trim());
    }
    p.set("offset", reqOffset); p.set("limit", REQ_PAGE);
    return p.toString();
  }
  async function refreshRequests(force) {
    const q = reqQuery();
    const doc = await api("requests?" + q);
    fill($("req-count"), String(doc.journaled));
    const key = q + "|" + doc.latest + "|" + doc.total + "|" + doc.journaled;
    if (!force && key === reqKey) return;
    reqKey = key;
    const tb = $("req-table").tBodies[0];
    const rows = doc.requests.map((e) => {
      const tr = el("tr", { "data-id": e.id, class: reqSelected === e.id ? "sel" : "" },
        el("td", { class: "mono", title: fmtTime(e.time) }, String(e.time).slice(11, 23).replace(/Z$/, "")),
        el("td", {}, e.method),
        el("td", { class: "mono path", title: e.path }, e.path),
        el("td", {}, e.operationId || "—"),
        el("td", {}, el("span", { class: "status " + statusClass(e.status) }, e.status === 0 ? "dropped" : e.status)),
        el("td", { class: "num" }, e.latencyMs.toFixed(1) + " ms"),
        el("td", { class: "mono" }, e.apiKey || ""),
        el("td", {}, e.error ? e.error.code : "", e.faultId ? el("span", { class: "tag" }, "fault " + e.faultId) : null));
      return selectable(tr, () => { reqSelected = e.id; mark(tb, tr); showRequest(e); });
    });
    fill(tb, rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "muted" }, doc.journaled ? "No request matches the filters." : "No request yet: call the API (" + location.origin + "/api/v1/…)."))]);
    const end = Math.min(doc.offset + doc.requests.length, doc.total);
    fill($("req-range"), doc.total ? (doc.offset + 1) + "–" + end + " of " + doc.total + (doc.total !== doc.journaled ? " (of " + doc.journaled + " journaled)" : "") : "0 of " + doc.journaled);
    $("req-newer").disabled = doc.offset === 0;
    $("req-older").disabled = end >= doc.total;
  }
  function showRequest(e) {
    const d = $("req-detail");
    const parts = [el("h3", {}, e.method + " " + e.path),
      dl([["Id", e.id], ["Request id", e.requestId], ["Time", fmtTime(e.time)], ["Operation", e.operationId || "none matched"],
        ["Status", e.status === 0 ? "0 (connection dropped)" : e.status], ["Latency", e.latencyMs + " ms"], ["API key", e.apiKey || "none sent"],
        ["Account", e.accountId || ""], ["Fault rule", e.faultId || ""]])];
    if (e.error) {
      parts.push(el("h4", {}, "Error"), dl([["Code", e.error.code], ["Message", e.error.message]]));
      if (e.error.fields && e.error.fields.length) parts.push(el("h4", {}, "Validation errors"), el("ul", { class: "errors" }, e.error.fields.map((f) => el("li", {}, f))));
    }
    fill(d, parts);
  }
  $("req-filters").addEventListener("input", () => { reqOffset = 0; tick(true); });
  $("req-filters").addEventListener("submit", (e) => e.preventDefault());
  $("req-newer").addEventListener("click", () => { reqOffset = Math.max(0, reqOffset - REQ_PAGE); tick(true); });
  $("req-older").addEventListener("click", () => { reqOffset += REQ_PAGE; tick(true); });

  // ---- state ----
  const ACC_PAGE = 50, THR_PAGE = 50, MSG_PAGE = 100;
  const st = { accOffset: 0, account: null, chatbot: null, thrOffset: 0, thread: null, msgOffset: null, key: "" };
  function listItem(label, sub, selected, fn) {
    const b = el("button", { type: "button", class: "item" + (selected ? " sel" : ""), "aria-pressed": selected ? "true" : "false", on: { click: fn } },
      el("span", { class: "name" }, label), sub ? el("span", { class: "sub" }, sub) : null);
    return el("li", {}, b);
  }
  async function refreshState() {
    const acc = await api("accounts?offset=" + st.accOffset + "&limit=" + ACC_PAGE + "&q=" + encodeURIComponent($("acc-q").value.trim()));
    fill($("acc-total"), String(acc.total));
    if (changed("acc", acc, st.account)) fill($("acc-list"), acc.accounts.map((a) => listItem(a.accountName || a.accountId, a.accountId + " · " + a.plan + (a.sandbox ? " · sandbox" : "") + " · " + a.chatbots + " chatbots",
      st.account === a.accountId, () => { st.account = a.accountId; st.chatbot = null; st.thread = null; refreshState(); })));
    fill($("acc-range"), acc.total ? (acc.offset + 1) + "–" + (acc.offset + acc.accounts.length) + " of " + acc.total : "none");
    $("acc-prev").disabled = st.accOffset === 0; $("acc-next").disabled = acc.offset + acc.accounts.length >= acc.total;
    if (!st.account) { clear($("bot-list")); clear($("thr-list")); clear($("msg-list")); fill($("bot-total"), ""); return; }
    const bots = await api("chatbots?account=" + encodeURIComponent(st.account));
    fill($("bot-total"), String(bots.total));
    if (changed("bot", bots, st.chatbot)) fill($("bot-list"), bots.chatbots.map((c) => listItem(c.name, c.chatbotId + (c.isActive ? "" : " · inactive"), st.chatbot === c.chatbotId,
      () => { st.chatbot = c.chatbotId; st.thread = null; st.thrOffset = 0; refreshState(); })));
    if (!st.chatbot) { clear($("thr-list")); clear($("msg-list")); fill($("thr-total"), ""); return; }
    const [thr, bot] = await Promise.all([api("threads?chatbot=" + encodeURIComponent(st.chatbot) + "&offset=" + st.thrOffset + "&limit=" + THR_PAGE),
      api("chatbot?chatbot=" + encodeURIComponent(st.chatbot))]);
    if (changed("botdoc", bot)) fill($("bot-detail").querySelector("pre"), pretty(bot));
    fill($("thr-total"), String(thr.total));
    if (changed("thr", thr, st.thread)) fill($("thr-list"), thr.threads.map((t) => listItem(t.title || t.visitorName || t.id, t.mode + " · " + fmtTime(t.lastActivityAt) + (t.escalated ? " · escalated" : ""),
      st.thread === t.id, () => { st.thread = t.id; st.msgOffset = null; refreshState(); })));
    fill($("thr-range"), thr.total ? (thr.offset + 1) + "–" + (thr.offset + thr.threads.length) + " of " + thr.total : "none");
    $("thr-prev").disabled = st.thrOffset === 0; $("thr-next").disabled = thr.offset + thr.threads.length >= thr.total;
    if (!st.thread) { clear($("msg-list")); fill($("msg-total"), ""); return; }
    if (st.msgOffset === null) {
      const head = await api("messages?chatbot=" + encodeURIComponent(st.chatbot) + "&thread=" + encodeURIComponent(st.thread) + "&limit=1");
      st.msgOffset = Math.max(0, head.total - MSG_PAGE);
    }
    const msg = await api("messages?chatbot=" + encodeURIComponent(st.chatbot) + "&thread=" + encodeURIComponent(st.thread) + "&offset=" + st.msgOffset + "&limit=" + MSG_PAGE);
    fill($("msg-total"), String(msg.total));
    if (changed("msg", msg)) fill($("msg-list"), msg.messages.map((m) => el("article", { class: "msg " + String(m.role).toLowerCase() },
      el("header", {}, el("strong", {}, m.role + (m.agentName ? " (" + m.agentName + ")" : "")), " ", el("span", { class: "muted" }, fmtTime(m.createdAt) + " · " + m.messageType)),
      el("p", {}, m.content))));
    fill($("msg-range"), msg.total ? (msg.offset + 1) + "–" + (msg.offset + msg.messages.length) + " of " + msg.total : "none");
    $("msg-prev").disabled = st.msgOffset === 0; $("msg-next").disabled = msg.offset + msg.messages.length >= msg.total;
  }
  $("acc-q").addEventListener("input", () => { st.accOffset = 0; refreshState(); });
  $("acc-prev").addEventListener("click", () => { st.accOffset = Math.max(0, st.accOffset - ACC_PAGE); refreshState(); });
  $("acc-next").addEventListener("click", () => { st.accOffset += ACC_PAGE; refreshState(); });
  $("thr-prev").addEventListener("click", () => { st.thrOffset = Math.max(0, st.thrOffset - THR_PAGE); refreshState(); });
  $("thr-next").addEventListener("click", () => { st.thrOffset += THR_PAGE; refreshState(); });
  $("msg-prev").addEventListener("click", () => { st.msgOffset = Math.max(0, st.msgOffset - MSG_PAGE); refreshState(); });
  $("msg-next").addEventListener("click", () => { st.msgOffset += MSG_PAGE; refreshState(); });

  // ---- webhooks ----
  const DLV_PAGE = 50;
  let dlvOffset = 0, dlvSelected = null;
  async function refreshWebhooks() {
    const doc = await api("deliveries?offset=" + dlvOffset + "&limit=" + DLV_PAGE);
    fill($("dlv-total"), String(doc.total));
    if (doc.deliveries.length) fill($("dlv-schedule"), doc.deliveries[0].schedule.join(", ") || "no retries");
    const tb = $("dlv-table").tBodies[0];
    if (changed("dlv", doc, dlvSelected)) fill(tb, deliveryRows(doc, tb));
    fill($("dlv-range"), doc.total ? (doc.offset + 1) + "–" + (doc.offset + doc.deliveries.length) + " of " + doc.total : "");
    $("dlv-newer").disabled = dlvOffset === 0; $("dlv-older").disabled = doc.offset + doc.deliveries.length >= doc.total;
    await refreshSinks();
  }
  function deliveryRows(doc, tb) {
    const rows = doc.deliveries.map((d) => selectable(el("tr", { "data-id": d.id, class: dlvSelected === d.id ? "sel" : "" },
      el("td", { class: "mono" }, fmtTime(d.createdAt)),
      el("td", { class: "mono" }, d.chatbotId),
      el("td", {}, d.eventType),
      el("td", {}, el("span", { class: "tag dlv-" + String(d.status).toLowerCase() }, d.status)),
      el("td", { class: "num" }, d.attempts + " / " + (d.schedule.length + 1)),
      el("td", {}, d.responseStatusCode === null ? (d.error || "—") : d.responseStatusCode + " · " + d.responseTimeMs + " ms"),
      el("td", { class: "mono" }, d.nextRetryAt ? fmtTime(d.nextRetryAt) : "—"),
      el("td", { class: "mono sig", title: d.signature || "" }, d.signature ? d.signature.slice(0, 19) + "…" : "—")),
    (function () { dlvSelected = d.id; mark(tb, this); showDelivery(d); })));
    return rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No delivery yet: configure a chatbot's webhook and make an event happen."))];
  }
  async function refreshSinks() {
    const sinks = (await api("sinks")).sinks || [];
    const blocks = [];
    for (const name of sinks) {
      const s = await api("control/webhook-sink/" + encodeURIComponent(name));
      blocks.push(el("details", { open: true }, el("summary", {}, name + " — " + s.deliveries.length + " received"),
        el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ["Received", "Event", "Answered", "Signature", "Token"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, s.deliveries.slice().reverse().map((d) => el("tr", {},
            el("td", { class: "mono" }, fmtTime(d.receivedAt)), el("td", {}, d.event || "—"), el("td", {}, d.responseStatus),
            el("td", {}, d.signatureValid === null ? "not checked (no secret)" : d.signatureValid ? "valid" : "INVALID"),
            el("td", {}, d.tokenValid === null ? "—" : d.tokenValid ? "valid" : "INVALID")))))));
    }
    if (changed("sinks", blocks.map((b) => b.textContent))) fill($("sinks"), blocks.length ? blocks : [el("p", { class: "muted" }, "No sink has received anything.")]);
  }
  function showDelivery(d) {
    fill($("dlv-detail"), [el("h3", {}, d.eventType + " · " + d.status),
      dl([["Delivery", d.id], ["Chatbot", d.chatbotId], ["Event key", d.eventKey], ["Attempts", d.attempts], ["Next retry", d.nextRetryAt ? fmtTime(d.nextRetryAt) : "none"],
        ["Retry schedule", d.schedule.join(", ")], ["Response", d.responseStatusCode === null ? "none" : d.responseStatusCode], ["Error", d.error || ""],
        ["X-Signature", d.signature || "(configuration changed since)"]]),
      el("h4", {}, "Payload"), el("pre", {}, pretty(d.requestPayload)),
      d.responseBody ? el("details", {}, el("summary", {}, "Response body"), el("pre", {}, d.responseBody)) : null]);
  }
  $("dlv-newer").addEventListener("click", () => { dlvOffset = Math.max(0, dlvOffset - DLV_PAGE); refreshWebhooks(); });
  $("dlv-older").addEventListener("click", () => { dlvOffset += DLV_PAGE; refreshWebhooks(); });

  // ---- faults ----
  async function refreshFaults() {
    const doc = await api("control/faults");
    const tb = $("fault-table").tBodies[0];
    if (!changed("faults", doc)) return;
    const rows = doc.faults.map((f) => el("tr", {},
      el("td", { class: "mono" }, f.id),
      el("td", {}, Object.entries(f.match || {}).map(([k, v]) => k + "=" + v).join(", ") || "every API request"),
      el("td", {}, Object.entries(f.action || {}).map(([k, v]) => k + "=" + v).join(", ")),
      el("td", { class: "num" }, f.remaining === null ? "∞" : f.remaining),
      el("td", { class: "num" }, f.probability === null ? "1" : f.probability),
      el("td", { class: "num" }, f.hits),
      el("td", {}, el("button", { type: "button", class: "danger", "aria-label": "Remove fault rule " + f.id, on: { click: async () => {
        try { await api("control/faults/" + encodeURIComponent(f.id), { method: "DELETE" }); flash("Removed fault rule " + f.id + "."); refreshFaults(); }
        catch (e) { flash(e.message, true); } } } }, "Remove"))));
    fill(tb, rows.length ? rows : [el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No fault rule."))]);
  }
  $("fault-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target.elements, match = {}, action = {}, body = { match, action };
    for (const k of ["operationId", "method", "pathPrefix", "accountId"]) if (f[k].value.trim()) match[k] = f[k].value.trim();
    if (f.status.value) action.status = Number(f.status.value);
    if (f.latency.value.trim()) action.latency = f.latency.value.trim();
    if (f.drop.checked) action.drop = true;
    if (f.malformedBody.checked) action.malformedBody = true;
    if (f.times.value) body.times = Number(f.times.value);
    if (f.probability.value) body.probability = Number(f.probability.value);
    try { const r = await api("control/faults", { method: "POST", body }); flash("Added fault rule " + r.id + "."); e.target.reset(); refreshFaults(); }
    catch (err) { flash(err.message, true); }
  });

  // ---- clock ----
  async function moveClock(body) {
    try { await api("control/clock", { method: "POST", body }); flash("The clock moved."); refreshHeader(); }
    catch (err) { flash(err.message, true); }
  }
  $("clock-advance").addEventListener("submit", (e) => { e.preventDefault(); moveClock({ advance: e.target.elements.advance.value.trim() }); });
  $("clock-set").addEventListener("submit", (e) => { e.preventDefault(); moveClock({ now: e.target.elements.now.value.trim() }); });

  // ---- polling: the header every 2 s, the open view every POLL_MS ----
  let busy = false, lastHeader = 0, lastView = 0;
  async function tick(force) {
    if (busy && !force) return;
    busy = true;
    try {
      if (force || Date.now() - lastHeader > 2000) { lastHeader = Date.now(); await refreshHeader(); }
      if (active === "requests" && (force || $("req-live").checked)) await refreshRequests(force);
      else if (force || Date.now() - lastView > 1000) {
        lastView = Date.now();
        if (active === "state") await refreshState();
        else if (active === "webhooks") await refreshWebhooks();
        else if (active === "faults") await refreshFaults();
      }
      document.body.classList.remove("offline");
    } catch (e) {
      document.body.classList.add("offline");
      fill($("health"), "not answering: " + e.message);
    } finally { busy = false; }
  }
  setInterval(() => { if (!document.hidden) tick(false); }, POLL_MS);
  window.addEventListener("hashchange", () => { const h = location.hash.slice(1); if (tabs.includes(h) && h !== active) show(h); });
  const start = location.hash.slice(1);
  show(tabs.includes(start) ? start : "requests");
})();
