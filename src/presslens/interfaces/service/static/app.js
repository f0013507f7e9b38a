// presslens UI. Plain JavaScript over the JSON API; no build step, no third-party code.
// Every piece of article or user text reaches the page through textContent (the `el` helper), never as markup.
"use strict";

// ---------------------------------------------------------------------------------------------- DOM helpers
const $ = (selector, root = document) => root.querySelector(selector);
const SVG_NS = "http://www.w3.org/2000/svg";

/** An element with attributes (className, dataset, event handlers as on* functions) and text/node children. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function clear(node) {
  node.replaceChildren();
  return node;
}

const pct = (share) => `${Math.round(share * 100)}%`;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// ---------------------------------------------------------------------------------------------- API client
const TOKEN_KEY = "presslens.token";

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) {
    if (response.status === 401) openTokenDialog();
    throw new ApiError(response.status, typeof data.detail === "string" ? data.detail : response.statusText);
  }
  return data;
}

function openTokenDialog() {
  const dialog = $("#token-dialog");
  if (!dialog.open) dialog.showModal();
}

function setupToken() {
  const dialog = $("#token-dialog");
  $("#token-button").addEventListener("click", openTokenDialog);
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "save") return;
    const value = $("#token-input").value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  });
}

function setStatus(node, message, kind = "") {
  node.className = `status ${kind}`.trim();
  node.textContent = message;
}

// ---------------------------------------------------------------------------------------------- routing
const VIEWS = ["analyze", "corpus", "stories", "outlets"];
const loaded = new Set();

function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const [view, ...rest] = hash.split("/");
  const name = view === "article" ? "analyze" : VIEWS.includes(view) ? view : "analyze";
  for (const other of VIEWS) $(`#view-${other}`).hidden = other !== name;
  for (const link of document.querySelectorAll(".tabs a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "article" && rest.length) openArticle(rest.join("/"));
  if (!loaded.has(name)) {
    loaded.add(name);
    ({ corpus: loadCorpus, stories: loadStories, outlets: loadOutlets })[name]?.();
  }
}

async function openArticle(id) {
  const status = $("#analyze-status");
  setStatus(status, "Loading the stored analysis…", "busy");
  try {
    renderReport(await api("GET", `/articles/${encodeURIComponent(id)}`));
    setStatus(status, "");
  } catch (error) {
    setStatus(status, error.message, "error");
  }
}

// ---------------------------------------------------------------------------------------------- analyze form
let inputMode = "text";

function setupAnalyzeForm() {
  for (const tab of document.querySelectorAll("[data-input]")) {
    tab.addEventListener("click", () => setInputMode(tab.dataset.input));
  }
  $("#input-file").addEventListener("change", () => {
    const file = $("#input-file").files[0];
    $("#input-file-name").textContent = file ? `${file.name} · ${(file.size / 1024).toFixed(1)} KB` : "No file chosen";
  });
  $("#analyze-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("#analyze-status");
    const button = $("#analyze-button");
    let request;
    try {
      request = await buildAnalyzeRequest();
    } catch (error) {
      setStatus(status, error.message, "error");
      return;
    }
    button.disabled = true;
    setStatus(status, inputMode === "url" ? "Fetching and analysing…" : "Analysing…", "busy");
    const started = performance.now();
    try {
      const analysis = await api("POST", "/analyze", request);
      renderReport(analysis);
      setStatus(status, `Analysed in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      if (request.save) history.replaceState(null, "", `#article/${encodeURIComponent(analysis.article.id)}`);
    } catch (error) {
      setStatus(status, error.message, "error");
    } finally {
      button.disabled = false;
    }
  });
}

function setInputMode(mode) {
  inputMode = mode;
  for (const tab of document.querySelectorAll("[data-input]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.input === mode));
  }
  $("#input-text").hidden = !(mode === "text" || mode === "html");
  $("#input-text").placeholder = mode === "html" ? "Paste the page's HTML source here." :
    "Paste the article text here: headline first, then the body.";
  $("#input-file-row").hidden = mode !== "file";
  $("#input-url").hidden = mode !== "url";
}

async function buildAnalyzeRequest() {
  const request = { save: $("#input-save").checked };
  for (const field of ["outlet", "title", "published"]) {
    const value = $(`#input-${field}`).value.trim();
    if (value) request[field] = value;
  }
  if (inputMode === "url") {
    const url = $("#input-url").value.trim();
    if (!url) throw new Error("Enter the URL of an article.");
    request.url = url;
  } else if (inputMode === "file") {
    const file = $("#input-file").files[0];
    if (!file) throw new Error("Choose a file first.");
    const content = await file.text();
    const isHtml = /\.x?html?$/i.test(file.name) || file.type === "text/html";
    request[isHtml ? "html" : "text"] = content;
  } else {
    const content = $("#input-text").value;
    if (!content.trim()) throw new Error("Paste an article first.");
    request[inputMode] = content;
  }
  return request;
}

// ---------------------------------------------------------------------------------------------- the report
const LAYERS = [
  { key: "q", section: "quotes", label: "Quotes", kind: "quote", on: true },
  { key: "s", section: "sourcing", label: "Sourcing", kind: "sourcing", on: true },
  { key: "n", section: "naming", label: "Naming", kind: "naming", on: true },
  { key: "t", section: "techniques", label: "Techniques", kind: "technique", on: true },
  { key: "e", section: "entities", label: "Entities", kind: "entity", on: false },
];
const LAYER_PRIORITY = { q: 0, n: 1, t: 2, s: 3, e: 4 };
const SPEAKER_COLOURS = ["#d6e4fb", "#d9f0e0", "#fde3c8", "#efdcf7", "#fbd9dc", "#d5f0f2", "#f4ecc4", "#e3e3f7"];
const SPEAKER_DOTS = ["#4f83d6", "#3f9a63", "#d9822b", "#9452b8", "#cf4653", "#2f9aa3", "#b59a1c", "#6161c2"];

function speakerColours(quotes) {
  const colours = new Map();
  for (const quote of quotes) {
    const name = quote.speaker || "unresolved";
    if (!colours.has(name)) colours.set(name, colours.size % SPEAKER_COLOURS.length);
  }
  return colours;
}

function renderReport(analysis) {
  const article = analysis.article;
  $("#report").hidden = false;
  $("#report-kicker").textContent = [article.outlet, article.published].filter(Boolean).join(" · ") || "Article";
  $("#report-title").textContent = article.title || firstLine(article.text);
  const meta = $("#report-meta");
  clear(meta);
  append(meta, [`${wordCount(article.text).toLocaleString()} words · id ${article.id}`]);
  if (article.url) append(meta, [" · ", el("a", { href: safeUrl(article.url), rel: "noopener noreferrer" }, article.url)]);

  const links = clear($("#report-links"));
  const base = `/articles/${encodeURIComponent(article.id)}`;
  links.append(
    el("a", { href: `${base}?format=html`, target: "_blank", rel: "noopener", id: "full-report-link" }, "Full report"),
    el("a", { href: base, target: "_blank", rel: "noopener" }, "JSON"),
  );

  renderSummary(analysis);
  const findings = collectFindings(analysis);
  renderToggles(analysis);
  const text = $("#report-text");
  annotate(text, article.text, findings, article.standfirst);
  text.onclick = (event) => selectFrom(event.target, findings);
  text.onkeydown = (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      selectFrom(event.target, findings);
    }
  };
  resetDetail();
  renderSpeakers(analysis.quotes, findings);
  renderSourcing(analysis.sourcing, analysis.profiles?.sourcing);
  renderNaming(analysis.naming, analysis.profiles?.naming);
  renderTechniques(analysis.techniques);
  renderRemoved(article.removed || []);
  const errors = analysis.errors || [];
  $("#errors-card").hidden = errors.length === 0;
  append(clear($("#errors")), errors.map((e) => el("li", {}, el("strong", {}, e.analyser), `: ${e.message}`)));
  $("#report").scrollIntoView({ behavior: "smooth", block: "start" });
}

function firstLine(text) {
  const line = text.split("\n", 1)[0];
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

function wordCount(text) {
  return (text.match(/\S+/g) || []).length;
}

/** Only http(s) links are made clickable; anything else (javascript:, data:) becomes an inert anchor. */
function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : "#";
  } catch {
    return "#";
  }
}

function stat(value, label) {
  const words = typeof value === "string" && /[a-z]{3}/i.test(value);  // a name, not a figure: smaller type
  return el("div", { className: "stat" }, el("div", { className: words ? "value words" : "value" }, value),
    el("div", { className: "label" }, label));
}

function renderSummary(analysis) {
  const node = clear($("#report-summary"));
  if (analysis.quotes) {
    node.append(stat(analysis.quotes.length, "Quotes"));
    node.append(stat(new Set(analysis.quotes.map((q) => q.speaker).filter(Boolean)).size, "Speakers"));
  }
  if (analysis.sourcing) {
    const assertions = analysis.sourcing.filter((s) => s.label === "outlet assertion").length;
    node.append(stat(analysis.sourcing.length ? pct(assertions / analysis.sourcing.length) : "–", "Unsourced"));
  }
  if (analysis.naming) {
    const conventions = countBy(analysis.naming, (n) => n.convention);
    const top = [...conventions.entries()].sort((a, b) => b[1] - a[1])[0];
    node.append(stat(top ? top[0] : "–", "Main naming"));
  }
  if (analysis.techniques) node.append(stat(analysis.techniques.length, "Techniques"));
  if (analysis.entities) node.append(stat(analysis.entities.length, "Entities"));
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) {
    const value = key(item);
    if (value !== null && value !== undefined) counts.set(value, (counts.get(value) || 0) + 1);
  }
  return counts;
}

/** Every highlightable finding: {id, layer, start, end, record, marks}. */
function collectFindings(analysis) {
  const colours = speakerColours(analysis.quotes || []);
  const findings = [];
  for (const layer of LAYERS) {
    (analysis[layer.section] || []).forEach((record, index) => {
      const span = layer.key === "q" ? record.content || record : record;
      if (typeof span.start !== "number" || span.end <= span.start) return;
      findings.push({
        id: findings.length,
        layer: layer.key,
        index,
        start: span.start,
        end: span.end,
        record,
        colour: layer.key === "q" ? colours.get(record.speaker || "unresolved") : undefined,
        marks: [record.cue, record.source].filter((m) => m && typeof m.start === "number"),
      });
    });
  }
  return findings;
}

/** Split the text at every finding boundary; each piece lists the findings covering it (nesting and crossing). */
function annotate(container, text, findings, standfirst, describeFinding = describe) {
  clear(container);
  const bounds = new Set([0, text.length]);
  for (const f of findings) {
    bounds.add(f.start);
    bounds.add(f.end);
    for (const mark of f.marks) { bounds.add(mark.start); bounds.add(mark.end); }
  }
  if (standfirst) { bounds.add(standfirst.start); bounds.add(standfirst.end); }
  const marks = findings.flatMap((f) => f.marks);
  const points = [...bounds].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const byStart = [...findings].sort((a, b) => a.start - b.start);
  let next = 0;
  let active = [];
  const fragment = document.createDocumentFragment();
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i];
    const end = points[i + 1];
    while (next < byStart.length && byStart[next].start <= start) active.push(byStart[next++]);
    active = active.filter((f) => f.end > start);
    const covering = active.filter((f) => f.start <= start && f.end >= end);
    const inStandfirst = standfirst && start >= standfirst.start && end <= standfirst.end;
    const inMark = marks.some((m) => m.start <= start && m.end >= end);  // a cue or source outside the finding
    const piece = text.slice(start, end);
    if (!covering.length && !inStandfirst && !inMark) {
      fragment.append(document.createTextNode(piece));
      continue;
    }
    const classes = new Set(["seg"]);
    if (inStandfirst) classes.add("standfirst");
    for (const f of covering) classes.add(f.layer);
    const node = el("span", { className: [...classes].join(" "), dataset: { start, end } }, piece);
    if (covering.length) {
      node.dataset.f = covering.map((f) => f.id).join(",");
      node.tabIndex = 0;
      const quote = covering.find((f) => f.layer === "q");
      if (quote) node.style.setProperty("--qcolor", SPEAKER_COLOURS[quote.colour]);
      node.title = covering.map(describeFinding).join("\n");
    }
    fragment.append(node);
  }
  container.append(fragment);
}

function describe(finding) {
  const r = finding.record;
  switch (finding.layer) {
    case "q": return `Quote (${r.kind}) · ${r.speaker || "speaker unresolved"}`;
    case "s": return `Sourcing · ${r.label}${r.hedged ? " (hedged)" : ""}`;
    case "n": return `Naming · ${r.text} → ${r.canonical} (${r.convention})`;
    case "t": return `Technique · ${r.technique}`;
    default: return `Entity · ${r.label} · ${r.canonical}`;
  }
}

let lastSelection = { node: null, position: 0 };

function selectFrom(target, findings) {
  const node = target.closest?.(".seg[data-f]");
  if (!node) return;
  const hidden = new Set(LAYERS.filter((l) => $("#report-text").classList.contains(`hide-${l.key}`)).map((l) => l.key));
  const candidates = node.dataset.f.split(",").map(Number).map((id) => findings[id])
    .filter((f) => !hidden.has(f.layer))
    .sort((a, b) => LAYER_PRIORITY[a.layer] - LAYER_PRIORITY[b.layer] || (a.end - a.start) - (b.end - b.start));
  if (!candidates.length) return;
  // Clicking the same piece again steps through the findings stacked on it.
  const position = lastSelection.node === node ? (lastSelection.position + 1) % candidates.length : 0;
  lastSelection = { node, position };
  select(candidates[position], candidates.length);
}

let selected = null;

function clearSelection() {
  selected = null;
  for (const node of $("#report-text").querySelectorAll(".selected, .cue-mark, .source-mark")) {
    node.classList.remove("selected", "cue-mark", "source-mark");
  }
}

function select(finding, stacked = 1) {
  const container = $("#report-text");
  clearSelection();
  selected = finding;
  const [cue, source] = [finding.record.cue, finding.record.source];
  for (const node of container.querySelectorAll(".seg")) {
    const start = Number(node.dataset.start);
    const end = Number(node.dataset.end);
    if (start >= finding.start && end <= finding.end) node.classList.add("selected");
    if (cue && start >= cue.start && end <= cue.end) node.classList.add("cue-mark");
    if (source && start >= source.start && end <= source.end) node.classList.add("source-mark");
  }
  renderDetail(finding, stacked);
}

function resetDetail() {
  clearSelection();
  lastSelection = { node: null, position: 0 };
  append(clear($("#detail")), [
    el("h3", {}, "Finding"),
    el("p", { className: "muted" }, "Click or focus a highlight to see who said it, the cue and the evidence."),
  ]);
}

function kv(rows) {
  const list = el("dl", { className: "kv" });
  for (const [key, value] of rows) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", {}, key), el("dd", {}, value));
  }
  return list;
}

function spanText(span) {
  return span ? `“${span.text}” (${span.start}–${span.end})` : null;
}

function evidenceRows(evidence) {
  if (!evidence) return [];
  return [
    ["Rule", evidence.rule],
    ["Score", typeof evidence.score === "number" ? evidence.score.toFixed(2) : null],
    ["Cues", (evidence.cues || []).map((c) => `“${c.text}”`).join(", ")],
    ["Note", evidence.note],
  ];
}

function renderDetail(finding, stacked) {
  const r = finding.record;
  const layer = LAYERS.find((l) => l.key === finding.layer);
  const node = clear($("#detail"));
  node.append(el("h3", {}, "Finding"));
  const kindLabel = finding.layer === "q" ? `${r.kind} quote` : finding.layer === "s" ? r.label :
    layer.kind;
  node.append(el("span", { className: `detail-kind ${layer.kind}` }, kindLabel));
  if (stacked > 1) {
    node.append(el("span", { className: "muted small stacked-hint" }, `${stacked} findings overlap here: click again for the next`));
  }
  if (finding.layer === "q") {
    node.append(
      el("div", { className: "speaker-name", id: "detail-speaker" }, r.speaker || "Speaker not resolved"),
      kv([
        ["Type", r.speaker_type],
        ["Written as", spanText(r.source)],
        ["Cue", spanText(r.cue)],
        ["Flags", [r.hedged && "hedged", r.casts_doubt && "cue casts doubt", r.continues && "continues previous quote"]
          .filter(Boolean).join(", ")],
        ...evidenceRows(r.evidence),
      ]),
      el("blockquote", { className: "excerpt" }, r.content?.text ?? r.text),
    );
  } else if (finding.layer === "s") {
    node.append(kv([
      ["Label", r.label], ["Hedged", r.hedged ? "yes" : "no"], ["Cue", spanText(r.cue)], ["Source", spanText(r.source)],
      ...evidenceRows(r.evidence),
    ]), el("blockquote", { className: "excerpt" }, r.text));
  } else if (finding.layer === "n") {
    node.append(kv([
      ["Written", r.text], ["Canonical", r.canonical], ["Convention", r.convention], ...evidenceRows(r.evidence),
    ]));
  } else if (finding.layer === "t") {
    node.append(kv([
      ["Technique", r.technique], ["Score", typeof r.score === "number" ? r.score.toFixed(2) : null],
      ...evidenceRows(r.evidence),
    ]), el("blockquote", { className: "excerpt" }, r.text));
  } else {
    node.append(kv([["Text", r.text], ["Label", r.label], ["Canonical", r.canonical], ...evidenceRows(r.evidence)]));
  }
  node.append(el("div", { className: "muted small" }, `Offsets ${finding.start}–${finding.end} of article.text`));
}

function renderToggles(analysis) {
  const node = clear($("#layer-toggles"));
  const text = $("#report-text");
  for (const layer of LAYERS) {
    const records = analysis[layer.section];
    if (!records) continue;
    text.classList.toggle(`hide-${layer.key}`, !layer.on);
    const button = el("button", {
      type: "button", className: "layer-toggle ghost", "aria-pressed": String(layer.on), dataset: { layer: layer.key },
      onclick: () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", String(on));
        text.classList.toggle(`hide-${layer.key}`, !on);
        if (!on && selected?.layer === layer.key) resetDetail();  // a hidden finding stays unselected
      },
    }, el("span", { className: `swatch ${layer.kind}` }), layer.label, el("span", { className: "count" }, records.length));
    node.append(button);
  }
}

function renderSpeakers(quotes, findings) {
  const card = $("#speakers-card");
  card.hidden = !quotes;
  if (!quotes) return;
  const node = clear($("#speakers"));
  const colours = speakerColours(quotes);
  const bySpeaker = new Map();
  for (const quote of quotes) {
    const name = quote.speaker || "unresolved";
    const entry = bySpeaker.get(name) || { total: 0, direct: 0, indirect: 0, type: quote.speaker_type };
    entry.total += 1;
    if (quote.kind === "indirect") entry.indirect += 1; else entry.direct += 1;
    bySpeaker.set(name, entry);
  }
  if (!bySpeaker.size) { node.append(el("p", { className: "muted" }, "No quotes found.")); return; }
  const list = el("ul", { className: "list" });
  for (const [name, entry] of [...bySpeaker.entries()].sort((a, b) => b[1].total - a[1].total)) {
    const dot = el("span", { className: "dot" });
    dot.style.setProperty("background", SPEAKER_DOTS[colours.get(name)]);
    const first = findings.find((f) => f.layer === "q" && (f.record.speaker || "unresolved") === name);
    list.append(el("li", {},
      dot,
      el("button", { type: "button", className: "ghost small grow", onclick: () => first && select(first) }, name),
      el("span", { className: "pill", title: "direct / indirect" }, `${entry.direct}/${entry.indirect}`),
      el("strong", {}, entry.total)));
  }
  node.append(list);
}

function shareList(counts, total) {
  const list = el("ul", { className: "list" });
  for (const [label, count] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    const bar = el("span");
    bar.style.setProperty("width", pct(count / total));
    list.append(el("li", {}, el("span", { className: "grow" }, label), el("span", { className: "bar" }, bar),
      el("span", { className: "pill" }, `${count} · ${pct(count / total)}`)));
  }
  return list;
}

function scalarRows(profile) {
  if (!profile || typeof profile !== "object") return [];
  return Object.entries(profile)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .map(([key, value]) => [key.replace(/_/g, " "), typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value)]);
}

function renderSourcing(records, profile) {
  const card = $("#sourcing-card");
  card.hidden = !records;
  if (!records) return;
  const node = clear($("#sourcing-profile"));
  if (!records.length) { node.append(el("p", { className: "muted" }, "No sourcing findings.")); return; }
  node.append(shareList(countBy(records, (r) => r.label), records.length));
  const hedged = records.filter((r) => r.hedged).length;
  node.append(el("p", { className: "muted small" }, plural(hedged, "hedged attribution")));
  const rows = scalarRows(profile);
  if (rows.length) node.append(kv(rows));
}

function renderNaming(records, profile) {
  const card = $("#naming-card");
  card.hidden = !records;
  if (!records) return;
  const node = clear($("#naming-profile"));
  const finding = profile && (profile.finding || profile.summary);
  if (typeof finding === "string") node.append(el("p", { className: "finding-line" }, finding));
  if (!records.length) { node.append(el("p", { className: "muted" }, "No contested names found.")); return; }
  const byName = new Map();
  for (const r of records) {
    const key = `${r.text}→${r.canonical}`;
    const entry = byName.get(key) || { written: r.text, canonical: r.canonical, convention: r.convention, count: 0 };
    entry.count += 1;
    byName.set(key, entry);
  }
  const list = el("ul", { className: "list" });
  for (const entry of byName.values()) {
    list.append(el("li", {}, el("span", { className: "grow" }, el("strong", {}, entry.written),
      entry.written !== entry.canonical ? ` (${entry.canonical})` : ""), el("span", { className: "pill" }, entry.convention),
    el("span", {}, `×${entry.count}`)));
  }
  node.append(list);
}

function renderTechniques(records) {
  const card = $("#techniques-card");
  card.hidden = !records;
  if (!records) return;
  const node = clear($("#techniques-profile"));
  if (!records.length) { node.append(el("p", { className: "muted" }, "No persuasion techniques found.")); return; }
  node.append(shareList(countBy(records, (r) => r.technique), records.length));
}

function renderRemoved(removed) {
  const card = $("#removed-card");
  card.hidden = removed.length === 0;
  const node = clear($("#removed"));
  for (const item of removed) {
    node.append(el("div", { className: "removed-item" }, el("span", { className: "pill" }, item.reason), " ",
      el("q", {}, item.text.length > 160 ? `${item.text.slice(0, 160)}…` : item.text)));
  }
  card.querySelector("summary").textContent = `Removed by ingest (${removed.length})`;
}

// ---------------------------------------------------------------------------------------------- corpus
async function loadOutletNames() {
  const { outlets } = await api("GET", "/outlets");
  append(clear($("#outlet-names")), outlets.map((o) => el("option", { value: o.name })));
  return outlets;
}

function loadCorpus() {
  const form = $("#corpus-form");
  form.addEventListener("submit", (event) => { event.preventDefault(); searchCorpus(); });
  form.addEventListener("reset", () => setTimeout(searchCorpus));
  loadOutletNames().catch(() => {});
  searchCorpus();
}

async function searchCorpus() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData($("#corpus-form"))) if (String(value).trim()) params.set(key, String(value).trim());
  const body = $("#corpus-table tbody");
  try {
    const page = await api("GET", `/articles?${params}`);
    clear(body);
    const count = (item, section) => (section in item.counts ? item.counts[section] : "–");
    for (const item of page.articles) {
      const href = `#article/${encodeURIComponent(item.id)}`;
      body.append(el("tr", { onclick: () => { location.hash = href.slice(1); } },
        el("td", { className: "date" }, item.published || "–"),
        el("td", {}, item.outlet || "–"),
        el("td", {}, el("a", { href }, item.title || item.id)),
        ...["quotes", "sourcing", "naming", "techniques"].map((section) => el("td", { className: "num" }, count(item, section)))));
    }
    $("#corpus-count").textContent = plural(page.total, "article");
    $("#corpus-empty").hidden = page.articles.length > 0;
  } catch (error) {
    clear(body);
    $("#corpus-count").textContent = error.message;
  }
}

// ---------------------------------------------------------------------------------------------- stories
const chosen = new Set();

async function loadStories() {
  $("#compare-button").addEventListener("click", compareChosen);
  $("#refresh-stories").addEventListener("click", refreshStories);
  await listStories();
}

async function listStories() {
  const list = clear($("#stories-list"));
  const empty = $("#stories-empty");
  try {
    const { stories } = await api("GET", "/stories");
    empty.hidden = stories.length > 0;
    empty.textContent = "No stories yet. Analyse articles from several outlets, then cluster them.";
    for (const story of stories) {
      const outlets = Object.entries(story.outlets).map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ");
      const dates = story.first_published ? [story.first_published, story.last_published]
        .filter((d, i, all) => d && all.indexOf(d) === i).join(" – ") : "undated";
      list.append(el("button", { type: "button", className: "story", dataset: { story: story.id },
        onclick: () => openStory(story.id) },
        el("span", { className: "story-title" }, story.title || "Untitled story"),
        el("span", { className: "story-meta" }, `${plural(story.size, "article")} · ${outlets} · ${dates}`)));
    }
  } catch (error) {
    empty.hidden = false;
    empty.textContent = error.message;
  }
}

async function refreshStories() {
  const status = $("#stories-status");
  setStatus(status, "Clustering new articles (the first run loads the embedding model)…", "busy");
  try {
    const update = await api("POST", "/stories/refresh");
    setStatus(status, `${plural(update.added, "article")} clustered: ${update.new_stories} new ` +
      `stor${update.new_stories === 1 ? "y" : "ies"}, ${update.joined} joined existing ones.`);
    await listStories();
  } catch (error) {
    setStatus(status, error.message, "error");
  }
}

async function openStory(id) {
  for (const item of document.querySelectorAll(".story")) item.setAttribute("aria-current", String(item.dataset.story === id));
  const node = clear($("#story-detail"));
  chosen.clear();
  $("#compare-card").hidden = true;
  try {
    const { differences, articles } = await api("GET", `/stories/${encodeURIComponent(id)}`);
    node.append(el("h2", {}, differences.story.title || "Untitled story"));
    node.append(el("h3", {}, "Articles"), storyArticles(articles));
    node.append(el("h3", {}, "Names used by outlet"), namingTable(differences));
    const partial = Object.entries(differences.speakers_not_quoted_by_all);
    if (partial.length) {
      node.append(el("h3", {}, "Quoted by some outlets only"), el("ul", { className: "list" },
        partial.map(([speaker, outlets]) => el("li", {}, el("span", { className: "grow" }, speaker),
          el("span", { className: "pill" }, outlets.join(", "))))));
    }
  } catch (error) {
    node.append(el("p", { className: "status error" }, error.message));
  }
  updateCompareButton();
}

function storyArticles(articles) {
  const list = el("div", { className: "story-articles" });
  const outletsSeen = new Set();
  for (const article of articles) {
    const box = el("input", { type: "checkbox", value: article.key });
    // Preselect the first article of the first two outlets: the comparison most people want.
    if (chosen.size < 2 && !outletsSeen.has(article.outlet)) { box.checked = true; chosen.add(article.key); }
    outletsSeen.add(article.outlet);
    box.addEventListener("change", () => {
      if (box.checked) chosen.add(article.key); else chosen.delete(article.key);
      updateCompareButton();
    });
    list.append(el("label", {}, box, el("span", {}, el("strong", {}, article.outlet || "unknown outlet"),
      ` · ${article.title || article.id}`, article.published ? el("span", { className: "muted" }, ` · ${article.published}`) : null)));
  }
  return list;
}

function namingTable(differences) {
  const outlets = differences.outlets.map((o) => o.outlet);
  const canonicals = [...new Set(differences.outlets.flatMap((o) => Object.keys(o.naming)))].sort();
  if (!canonicals.length) return el("p", { className: "muted" }, "No contested names in this story.");
  const differs = new Set(Object.keys(differences.naming));
  return el("div", { className: "table-wrap" }, el("table", { className: "table compact" },
    el("thead", {}, el("tr", {}, el("th", {}, "Entity"), outlets.map((o) => el("th", {}, o)))),
    el("tbody", {}, canonicals.map((canonical) => el("tr", { className: differs.has(canonical) ? "differs" : "" },
      el("td", {}, canonical),
      differences.outlets.map((o) => el("td", {}, (o.naming[canonical] || ["–"]).join(", "))))))));
}

function updateCompareButton() {
  $("#compare-button").disabled = chosen.size !== 2;
  setStatus($("#compare-status"), chosen.size === 2 ? "" : "Choose two articles to compare.");
}

async function compareChosen() {
  const status = $("#compare-status");
  setStatus(status, "Comparing (the first comparison loads the embedding model)…", "busy");
  try {
    const keys = [...chosen];
    const [result, ...analyses] = await Promise.all([
      api("POST", "/compare", { articles: keys }),
      ...keys.map((key) => api("GET", `/articles/${encodeURIComponent(key)}`)),
    ]);
    renderComparison(result, analyses);
    setStatus(status, "");
  } catch (error) {
    setStatus(status, error.message, "error");
  }
}

const PASSAGE_STATUS = {
  identical: ["p-same", "identical"],
  naming: ["p-naming", "same but for names"],
  edited: ["p-edited", "edited"],
  "shared fact": ["p-fact", "same fact, reworded"],
};

/** Side-by-side columns of one pair: aligned passages linked across columns, passages only in one, names. */
function renderComparison(result, analyses) {
  const pair = result.pairs[0];
  const node = clear($("#compare-result"));
  $("#compare-card").hidden = false;
  const sides = ["a", "b"].map((side) => ({ side, ref: result.articles[pair[side]], text: analyses[pair[side]].article.text }));
  const name = (side) => sides.find((s) => s.side === side).ref.outlet || `article ${side.toUpperCase()}`;
  node.append(comparisonSummary(pair, name));
  node.append(el("div", { className: "legend" }, legendItem("#dcf1e2", "identical"), legendItem("#dbe7fb", "same but for names"),
    legendItem("#ebe3f8", "edited"), legendItem("#d9f0ee", "same fact, reworded"), legendItem("#fde7c2", "only in this article")));
  const columns = el("div", { className: "compare-cols" });
  const texts = {};
  for (const { side, ref, text } of sides) {
    const findings = [];
    pair.passages.forEach((match, link) => findings.push({ id: findings.length, layer: PASSAGE_STATUS[match.status][0],
      start: match[side].start, end: match[side].end, record: match, link, marks: [] }));
    for (const only of pair.passages_only.filter((o) => o.side === side)) {
      findings.push({ id: findings.length, layer: "p-only", start: only.span.start, end: only.span.end, record: only, marks: [] });
    }
    for (const difference of pair.naming) {
      for (const use of difference[side]) {
        for (const span of use.spans) {
          findings.push({ id: findings.length, layer: "n", start: span.start, end: span.end,
            record: { canonical: difference.canonical, ...use }, marks: [] });
        }
      }
    }
    const textNode = el("div", { className: "article-text" });
    annotate(textNode, text, findings, null, describeComparison);
    textNode.addEventListener("click", (event) => linkPassage(event.target, findings, texts, side));
    texts[side] = textNode;
    columns.append(el("div", { className: "compare-col" },
      el("div", { className: "kicker" }, [ref.outlet, ref.published].filter(Boolean).join(" · ") || `Article ${side.toUpperCase()}`),
      el("h3", {}, ref.title || ref.id), textNode));
  }
  node.append(columns);
  $("#compare-card").scrollIntoView({ behavior: "smooth", block: "start" });
}

function describeComparison(finding) {
  if (finding.layer === "p-only") return "Only in this article";
  if (finding.layer === "n") return `${finding.record.text} (${finding.record.convention || "no convention"}) for ${finding.record.canonical}`;
  return `Aligned passage: ${PASSAGE_STATUS[finding.record.status][1]} (similarity ${finding.record.similarity.toFixed(2)})`;
}

function linkPassage(target, findings, texts, side) {
  const node = target.closest?.(".seg[data-f]");
  if (!node) return;
  const passage = node.dataset.f.split(",").map(Number).map((id) => findings[id]).find((f) => f.link !== undefined);
  for (const column of Object.values(texts)) {
    for (const marked of column.querySelectorAll(".selected")) marked.classList.remove("selected");
  }
  if (!passage) return;
  const other = side === "a" ? "b" : "a";
  const partner = passage.record[other];
  markRange(texts[side], passage.start, passage.end);
  markRange(texts[other], partner.start, partner.end)[0]?.scrollIntoView({ behavior: "smooth", block: "nearest" });
}

function markRange(container, start, end) {
  const marked = [...container.querySelectorAll(".seg")].filter((seg) => Number(seg.dataset.start) >= start && Number(seg.dataset.end) <= end);
  for (const seg of marked) seg.classList.add("selected");
  return marked;
}

function comparisonSummary(pair, name) {
  const story = pair.same_story;
  const items = [];
  items.push(el("li", {}, el("div", { className: "diff-kind" }, "Same story"),
    el("div", {}, `${story.same ? "Yes" : "No"}: entity overlap ${story.score.toFixed(2)}, lead similarity ${story.text_similarity.toFixed(2)}` +
      (story.days_apart !== null ? `, ${plural(story.days_apart, "day")} apart` : ""))));
  for (const side of ["a", "b"]) {
    const passages = pair.passages_only.filter((o) => o.side === side);
    const quotes = pair.quotes_only.filter((o) => o.side === side);
    if (!passages.length && !quotes.length) continue;
    items.push(el("li", {}, el("div", { className: "diff-kind" }, `Only in ${name(side)}`),
      passages.length ? el("div", {}, `${plural(passages.length, "passage")} (${plural(passages.reduce((n, p) => n + p.sentences, 0), "sentence")})`) : null,
      quotes.map((q) => el("div", { className: "diff-quote" }, el("strong", {}, q.quote.speaker || "unresolved speaker"), ": “", q.quote.content.text, "”"))));
  }
  for (const difference of pair.naming) {
    const forms = (side) => difference[side].map((use) => `${use.text} ×${use.spans.length}`).join(", ") || "–";
    items.push(el("li", {}, el("div", { className: "diff-kind" }, `Naming · ${difference.canonical}`),
      el("div", {}, `${name("a")}: ${forms("a")} · ${name("b")}: ${forms("b")}`)));
  }
  for (const change of pair.attribution_changes) {
    items.push(el("li", {}, el("div", { className: "diff-kind" }, `Attribution · ${change.kind}`), el("div", {}, change.note)));
  }
  const sourcing = pair.sourcing_profile.filter((row) => row.a !== row.b);
  if (sourcing.length) {
    items.push(el("li", {}, el("div", { className: "diff-kind" }, "Sourcing"),
      el("div", {}, sourcing.map((row) => `${row.label}: ${row.a} vs ${row.b}`).join(" · "))));
  }
  for (const note of pair.notes) items.push(el("li", {}, el("div", { className: "diff-kind" }, "Note"), el("div", {}, note)));
  return el("ul", { className: "list diff-list" }, items);
}

// ---------------------------------------------------------------------------------------------- outlets
async function loadOutlets() {
  const select = $("#outlet-select");
  select.addEventListener("change", () => showOutlet(select.value));
  try {
    const outlets = await loadOutletNames();
    append(clear(select), outlets.map((o) => el("option", { value: o.name }, `${o.name} (${o.articles})`)));
    if (outlets.length) showOutlet(outlets[0].name);
    else $("#outlet-summary").append(el("p", { className: "muted" }, "No outlets in the store yet."));
  } catch (error) {
    $("#outlet-summary").append(el("p", { className: "status error" }, error.message));
  }
}

function legendItem(colour, label) {
  const swatch = el("span", { className: "swatch" });
  swatch.style.setProperty("background", colour);
  return el("span", {}, swatch, label);
}

const CHART_COLOURS = ["#1f4e8c", "#d9822b", "#3f9a63", "#9452b8", "#cf4653", "#2f9aa3", "#b59a1c", "#6b7385"];

async function showOutlet(name) {
  const summary = clear($("#outlet-summary"));
  try {
    const profile = await api("GET", `/outlets/${encodeURIComponent(name)}`);
    const overall = profile.overall;
    const topSpeaker = overall.top_speakers[0];
    summary.append(stat(overall.articles, "Articles"),
      stat(typeof overall.unsourced_share === "number" ? pct(overall.unsourced_share) : "–", "Unsourced"),
      stat(typeof overall.quotes_per_article === "number" ? overall.quotes_per_article.toFixed(1) : "–", "Quotes / article"),
      stat(Object.keys(overall.naming_shares)[0] || "–", "Main naming"),
      stat(topSpeaker ? topSpeaker[0] : "–", "Most quoted"));
    stackedBars($("#chart-naming"), profile.periods);
    lineChart($("#chart-unsourced"), profile.periods);
  } catch (error) {
    summary.append(el("p", { className: "status error" }, error.message));
  }
}

const CHART = { width: 560, height: 260, left: 44, right: 12, top: 12, bottom: 34 };

function chartFrame(periods) {
  const root = svg("svg", { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: "img" });
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = CHART.top + plotHeight * (1 - tick);
    root.append(svg("line", { class: "grid", x1: CHART.left, x2: CHART.width - CHART.right, y1: y, y2: y }),
      svg("text", { x: CHART.left - 6, y: y + 4, "text-anchor": "end" }, pct(tick)));
  }
  root.append(svg("line", { class: "axis", x1: CHART.left, x2: CHART.width - CHART.right,
    y1: CHART.top + plotHeight, y2: CHART.top + plotHeight }));
  const step = (CHART.width - CHART.left - CHART.right) / Math.max(periods.length, 1);
  const every = Math.ceil(periods.length / 10);
  periods.forEach((p, i) => {
    if (i % every) return;
    root.append(svg("text", { x: CHART.left + step * (i + 0.5), y: CHART.height - 12, "text-anchor": "middle" }, p.period));
  });
  return { root, plotHeight, step };
}

function emptyChart(node, message) {
  append(clear(node), [el("p", { className: "empty" }, message)]);
}

function stackedBars(node, periods) {
  const conventions = [...new Set(periods.flatMap((p) => Object.keys(p.naming_shares)))];
  if (!conventions.length) return emptyChart(node, "No naming findings for this outlet.");
  const { root, plotHeight, step } = chartFrame(periods);
  root.setAttribute("aria-label", "Naming convention share per period");
  periods.forEach((p, i) => {
    let y = CHART.top + plotHeight;
    conventions.forEach((convention, c) => {
      const share = p.naming_shares[convention] || 0;
      const height = plotHeight * share;
      y -= height;
      if (height > 0) {
        root.append(svg("rect", { x: CHART.left + step * i + step * 0.18, y, width: step * 0.64, height,
          fill: CHART_COLOURS[c % CHART_COLOURS.length] }, svg("title", {}, `${p.period} · ${convention}: ${pct(share)}`)));
      }
    });
  });
  append(clear(node), [root, el("div", { className: "legend" },
    conventions.map((c, i) => legendItem(CHART_COLOURS[i % CHART_COLOURS.length], c)))]);
}

function lineChart(node, periods) {
  const points = periods.map((p, i) => [i, p.unsourced_share]).filter(([, v]) => typeof v === "number");
  if (!points.length) return emptyChart(node, "No sourcing findings for this outlet.");
  const { root, plotHeight, step } = chartFrame(periods);
  root.setAttribute("aria-label", "Share of unsourced assertions per period");
  const xy = points.map(([i, v]) => [CHART.left + step * (i + 0.5), CHART.top + plotHeight * (1 - v)]);
  root.append(svg("polyline", { class: "line", points: xy.map((p) => p.join(",")).join(" ") }));
  xy.forEach(([x, y], k) => root.append(svg("circle", { class: "point", cx: x, cy: y, r: 3.5 },
    svg("title", {}, `${periods[points[k][0]].period}: ${pct(points[k][1])}`))));
  append(clear(node), [root]);
}

// ---------------------------------------------------------------------------------------------- start
async function checkHealth() {
  const node = $("#health");
  try {
    const health = await api("GET", "/healthz");
    node.className = "health ok";
    node.textContent = `v${health.version} · ${health.analysers.length} analysers`;
  } catch {
    node.className = "health down";
    node.textContent = "service unreachable";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupToken();
  setupAnalyzeForm();
  window.addEventListener("hashchange", route);
  route();
  checkHealth();
});
