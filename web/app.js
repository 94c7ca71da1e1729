// 聊城教育政策助手 — web chat front-end.
// Plain ES module, no dependencies. All user and document text is rendered with
// textContent / createTextNode only (never innerHTML), so the page is safe under a strict CSP.

const MAX_LEN = 500;
const HISTORY_TURNS = 1;         // the service reads only the last turn's question: send no more
const MAX_RATED_MEASURES = 5;    // the API's bound on answer_measures in a rating
const ASK_TIMEOUT_MS = 90000;

const MSG = {
  offline: "无法连接服务器，请稍后重试",
  timeout: "服务器响应超时，请稍后重试",
  tooLong: `问题不能超过${MAX_LEN}字`,
  empty: "请输入问题",
  invalid: "问题格式不正确，请修改后重试",
  rateLimited: (s) => (s ? `提问过于频繁，请在${s}秒后重试` : "提问过于频繁，请稍后重试"),
  rejected: "请求未被受理，请修改问题后重试",
};

// Characters as the server counts them (code points): "😀".length is 2 UTF-16 units, but one character.
const chars = (text) => [...text].length;

const $ = (id) => document.getElementById(id);
const els = {
  scroll: $("chat-scroll"),
  log: $("chat-log"),
  form: $("ask-form"),
  input: $("question-input"),
  send: $("send-button"),
  count: $("char-count"),
  docTitle: $("doc-title"),
  docDate: $("doc-date"),
  docIssuers: $("doc-issuers"),
  browseBtn: $("browse-button"),
  browsePanel: $("browse-panel"),
  browseClose: $("browse-close"),
  browseNav: $("browse-nav"),
  browseStatus: $("browse-status"),
  newChat: $("new-chat-button"),
  panel: $("measure-panel"),
  panelClose: $("measure-close"),
  panelTitle: $("measure-title"),
  panelPart: $("measure-part"),
  panelNote: $("measure-note"),
  panelText: $("measure-text"),
  panelSource: $("measure-source"),
};

const state = {
  history: [],          // [{question}] — most recent last
  pending: false,
  doc: null,            // /api/document
  measures: null,       // /api/measures
  measureCache: new Map(),
  panelOpener: null,
  browseOpener: null,
  panelRequest: 0,
};

/* ---------- tiny DOM helper: strings become text nodes, never HTML ---------- */

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso || "";
}

function scrollToBottom() {
  els.scroll.scrollTop = els.scroll.scrollHeight;
}

function scrollIntoViewTop(node) {
  node.scrollIntoView({ block: "start" });
}

/* ---------- HTTP ---------- */

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function messageFromBody(body) {
  if (!body || typeof body !== "object") return "";
  if (body.error && typeof body.error === "object" && typeof body.error.message_zh === "string") {
    return body.error.message_zh;
  }
  if (typeof body.detail === "string") return body.detail;
  return "";
}

async function api(path, { method = "GET", body, timeout = 30000, context = {} } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    throw new ApiError(err && err.name === "AbortError" ? MSG.timeout : MSG.offline, 0);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) {
    if (data === null) throw new ApiError(MSG.offline, response.status);
    return data;
  }
  if (response.status >= 500) throw new ApiError(MSG.offline, response.status);
  const serverMsg = messageFromBody(data);
  if (response.status === 429) {
    const retry = parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(MSG.rateLimited(Number.isFinite(retry) && retry > 0 ? retry : 0), 429);
  }
  if (response.status === 422) {
    const q = context.question || "";
    if (chars(q) > MAX_LEN) throw new ApiError(MSG.tooLong, 422);
    if (!q.trim() && "question" in context) throw new ApiError(MSG.empty, 422);
    throw new ApiError(serverMsg || MSG.invalid, 422);
  }
  throw new ApiError(serverMsg || MSG.rejected, response.status);
}

/* ---------- header / document ---------- */

async function loadDocument() {
  try {
    const doc = await api("/api/document");
    state.doc = doc;
    els.docTitle.textContent = `《${doc.title}》`;
    els.docIssuers.textContent = Array.isArray(doc.issuers) ? doc.issuers.join("、") : "";
    els.docDate.textContent = `${formatDate(doc.date)}印发`;
    return doc;
  } catch {
    els.docTitle.textContent = "《中共聊城市委 聊城市人民政府关于新时代聊城教育高质量发展的意见》";
    els.docIssuers.textContent = "中共聊城市委、聊城市人民政府";
    els.docDate.textContent = "2023年8月28日印发";
    return null;
  }
}

/* ---------- composer ---------- */

function updateCount() {
  const n = chars(els.input.value);
  els.count.textContent = `${n}/${MAX_LEN}`;
  els.count.classList.toggle("over", n >= MAX_LEN);
}

function setPending(pending) {
  state.pending = pending;
  els.send.disabled = pending;
  els.send.textContent = pending ? "查找中" : "发送";
  els.log.setAttribute("aria-busy", pending ? "true" : "false");
  for (const b of document.querySelectorAll("[data-testid='starter-question'], .retry-button")) b.disabled = pending;
}

function addUserMessage(text) {
  const node = h("div", { class: "msg msg-user" },
    h("span", { class: "visually-hidden" }, "您的问题："),
    h("div", { class: "bubble bubble-user", "data-testid": "message-user" }, text));
  els.log.append(node);
  return node;
}

function addLoading() {
  const node = h("div", { class: "msg msg-assistant", "data-testid": "loading", role: "status" },
    h("div", { class: "bubble bubble-loading" },
      h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      "正在查找…"));
  els.log.append(node);
  return node;
}

function addError(message, retryQuestion) {
  const node = h("div", { class: "msg msg-assistant" },
    h("div", { class: "bubble bubble-error", "data-testid": "error-message", role: "alert" },
      h("span", { class: "error-icon", "aria-hidden": "true" }, "!"),
      h("span", { class: "error-text" }, message)));
  if (retryQuestion) {
    node.firstChild.append(h("button", {
      type: "button", class: "link-button retry-button", "aria-label": "重新发送这个问题",
      onclick: () => { if (!state.pending) { node.remove(); ask(retryQuestion, { echo: false }); } },
    }, "重试"));
  }
  els.log.append(node);
  scrollToBottom();
  return node;
}

// The trimmed question, or null after telling the user why it cannot be sent.
function sendable(rawQuestion) {
  const question = String(rawQuestion || "").trim();
  if (!question) {
    els.input.value = "";
    updateCount();
    els.input.focus();
    return null;
  }
  if (chars(question) > MAX_LEN) {
    addError(MSG.tooLong);
    els.input.focus();
    return null;
  }
  return question;
}

async function ask(rawQuestion, { echo = true } = {}) {
  if (state.pending) return;
  const question = sendable(rawQuestion);
  if (question === null) return;
  document.body.classList.add("has-messages");
  const userNode = echo ? addUserMessage(question) : null;
  const history = state.history.slice(-HISTORY_TURNS);
  const loading = addLoading();
  scrollToBottom();
  setPending(true);
  try {
    const data = await api("/api/ask", {
      method: "POST",
      body: { question, history },
      timeout: ASK_TIMEOUT_MS,
      context: { question },
    });
    loading.remove();
    const msg = renderAnswer(data, question);
    els.log.append(msg);
    scrollIntoViewTop(userNode || msg);
    state.history.push({ question });
    if (state.history.length > HISTORY_TURNS) state.history = state.history.slice(-HISTORY_TURNS);
  } catch (err) {
    loading.remove();
    const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 429;
    addError(err instanceof ApiError ? err.message : MSG.offline, retryable ? question : null);
  } finally {
    setPending(false);
  }
}

/* ---------- answers ---------- */

function citationLabel(c) {
  return `第${c.measure}条`;
}

function citationsText(data) {
  const cites = (data.citations || []).filter((c) => (c.quotes || []).length);
  const related = (data.citations || []).filter((c) => !(c.quotes || []).length);
  const fmt = (list) => list.map((c) => `${citationLabel(c)} ${c.title}`).join("；");
  if (cites.length) return `\n出处：${fmt(cites)}`;
  if (related.length) return `\n${data.in_scope ? "相关条款" : "可能相关"}：${fmt(related)}`;
  return "";
}

function chip(c, { small = false, quotes = [] } = {}) {
  const label = citationLabel(c);
  return h("button", {
    type: "button",
    class: small ? "chip chip-small" : "chip",
    "data-testid": "citation-chip",
    "data-measure": String(c.measure),
    title: `${label} ${c.title}：点击查看全文`,
    "aria-label": `${label} ${c.title}，查看条款全文`,
    "aria-haspopup": "dialog",
    onclick: (ev) => openMeasure(c.measure, { quotes, opener: ev.currentTarget, fallback: c }),
  }, label);
}

function renderAnswer(data, question) {
  const citations = Array.isArray(data.citations) ? data.citations : [];
  const cited = citations.filter((c) => Array.isArray(c.quotes) && c.quotes.length);
  const related = citations.filter((c) => !Array.isArray(c.quotes) || !c.quotes.length);

  const article = h("article", { class: "msg msg-assistant", "data-testid": "message-assistant", "aria-label": "助手的回答" });
  const bubble = h("div", { class: "bubble bubble-assistant" });
  article.append(bubble);

  if (data.in_scope === false) {
    bubble.append(h("p", { class: "scope-note" },
      h("span", { class: "scope-badge" }, "文件未涉及"),
      "本文件没有直接规定这个问题，以下仅供参考。"));
  }
  bubble.append(h("div", { class: "answer-text", "data-testid": "answer-text" }, String(data.answer || "")));

  if (cited.length) {
    const list = h("ol", { class: "cite-list" });
    for (const c of cited) {
      list.append(h("li", { class: "cite" },
        h("div", { class: "cite-head" },
          chip(c, { quotes: c.quotes }),
          h("span", { class: "cite-title" }, c.title)),
        c.quotes.map((q) => h("blockquote", { class: "quote" }, q))));
    }
    bubble.append(h("section", { class: "cites", "aria-label": "出处" },
      h("h3", { class: "section-label" }, "出处（文件原文）"), list));
  }

  if (related.length) {
    const label = data.in_scope === false ? "可能相关" : "相关条款";
    const list = h("ul", { class: "related-list" });
    for (const c of related) {
      list.append(h("li", {}, chip(c, { small: true }), h("span", { class: "related-title" }, c.title)));
    }
    bubble.append(h("section", { class: "related", "aria-label": label },
      h("h3", { class: "section-label" }, label), list));
  }

  bubble.append(renderActions(data, question, cited));
  return article;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {
  up: [["path", { d: "M7 11v10H4a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1h3z" }],
    ["path", { d: "M7 11l4-8a3 3 0 0 1 3 3v4h5.3a2 2 0 0 1 2 2.3l-1.3 8a2 2 0 0 1-2 1.7H7" }]],
  down: [["path", { d: "M17 13V3h3a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1h-3z" }],
    ["path", { d: "M17 13l-4 8a3 3 0 0 1-3-3v-4H4.7a2 2 0 0 1-2-2.3l1.3-8a2 2 0 0 1 2-1.7H17" }]],
  copy: [["rect", { x: "9", y: "9", width: "12", height: "12", rx: "2" }],
    ["path", { d: "M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1" }]],
};

function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [k, v] of Object.entries({
    viewBox: "0 0 24 24", width: "18", height: "18", fill: "none", stroke: "currentColor",
    "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true",
    focusable: "false", class: "icon",
  })) svg.setAttribute(k, v);
  for (const [tag, attrs] of ICONS[name]) {
    const child = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) child.setAttribute(k, v);
    svg.append(child);
  }
  return svg;
}

function renderActions(data, question, cited) {
  const measures = cited.map((c) => c.measure).slice(0, MAX_RATED_MEASURES);
  const status = h("span", { class: "action-status", role: "status", tabindex: "-1" });
  const up = h("button", {
    type: "button", class: "action-button", "data-testid": "feedback-up",
    "aria-label": "👍 回答有帮助", title: "回答有帮助", "aria-pressed": "false",
  }, icon("up"), h("span", { class: "action-text", "aria-hidden": "true" }, "有帮助"));
  const down = h("button", {
    type: "button", class: "action-button", "data-testid": "feedback-down",
    "aria-label": "👎 回答没有帮助", title: "回答没有帮助", "aria-pressed": "false",
  }, icon("down"), h("span", { class: "action-text", "aria-hidden": "true" }, "没帮助"));
  const copy = h("button", {
    type: "button", class: "action-button action-copy", "data-testid": "copy-button",
    "aria-label": "复制回答和出处", title: "复制回答和出处",
  }, icon("copy"), h("span", { class: "action-text copy-label" }, "复制"));

  const bar = h("div", { class: "actions" }, up, down, copy, status);
  const wrap = h("div", { class: "actions-wrap" }, bar);

  let form = null;
  const done = (ok, pressed) => {
    if (ok) {
      up.disabled = true;
      down.disabled = true;
      pressed.setAttribute("aria-pressed", "true");
      pressed.classList.add("chosen");
      status.textContent = "感谢反馈";
      status.className = "action-status ok";
      status.dataset.testid = "feedback-thanks";
      if (!document.activeElement || document.activeElement === document.body || document.activeElement.disabled) {
        status.focus({ preventScroll: true });
      }
    } else {
      status.textContent = "反馈提交失败，请稍后重试";
      status.className = "action-status bad";
    }
  };
  const send = async (rating, reason, pressed) => {
    const body = { question, answer_measures: measures, rating };
    if (reason) body.reason = reason.slice(0, MAX_LEN);
    try {
      await api("/api/feedback", { method: "POST", body });
      done(true, pressed);
      return true;
    } catch {
      done(false, pressed);
      return false;
    }
  };

  up.addEventListener("click", () => {
    if (form) { form.remove(); form = null; }
    up.disabled = true;
    send("up", "", up).then((ok) => { if (!ok) up.disabled = false; });
  });

  down.addEventListener("click", () => {
    if (form) { form.querySelector("textarea").focus(); return; }
    const id = `reason-${Math.random().toString(36).slice(2, 9)}`;
    const reason = h("textarea", {
      id, class: "reason-input", rows: "2", maxlength: String(MAX_LEN), "data-testid": "feedback-reason",
      placeholder: "例如：没有回答我的问题 / 引用的条款不对（选填）",
    });
    const submit = h("button", { type: "submit", class: "small-button primary", "data-testid": "feedback-submit" }, "提交反馈");
    const cancel = h("button", { type: "button", class: "small-button", "data-testid": "feedback-cancel" }, "取消");
    form = h("form", { class: "reason-form", "data-testid": "feedback-form", "aria-label": "反馈原因" },
      h("label", { for: id, class: "reason-label" }, "哪里不满意？（选填，最多500字）"),
      reason,
      h("div", { class: "reason-actions" }, submit, cancel));
    reason.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { ev.preventDefault(); cancel.click(); }
    });
    cancel.addEventListener("click", () => { form.remove(); form = null; down.focus(); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      down.disabled = true;
      const ok = await send("down", reason.value.trim(), down);
      if (ok) {
        form.remove();
        form = null;
      } else {
        submit.disabled = false;
        down.disabled = false;
      }
    });
    wrap.append(form);
    reason.focus();
  });

  copy.addEventListener("click", async () => {
    const text = String(data.answer || "") + citationsText(data);
    const ok = await copyText(text);
    const label = copy.querySelector(".copy-label");
    label.textContent = ok ? "已复制" : "复制失败";
    copy.classList.toggle("copied", ok);
    clearTimeout(copy._t);
    copy._t = setTimeout(() => { label.textContent = "复制"; copy.classList.remove("copied"); }, 2000);
    if (!ok) {
      status.textContent = "无法访问剪贴板，请手动选择文字复制";
      status.className = "action-status bad";
    }
  });

  return wrap;
}

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the legacy path */
  }
  try {
    const ta = h("textarea", { class: "clipboard-helper", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  } catch {
    return false;
  }
}

/* ---------- measure panel ---------- */

function highlightRanges(text, quotes) {
  const ranges = [];
  for (const q of quotes || []) {
    const needle = String(q || "").trim();
    if (!needle) continue;
    let from = 0;
    let idx = text.indexOf(needle, from);
    while (idx !== -1) {
      ranges.push([idx, idx + needle.length]);
      from = idx + needle.length;
      idx = text.indexOf(needle, from);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function renderHighlighted(container, text, quotes) {
  container.replaceChildren();
  const ranges = highlightRanges(text, quotes);
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start > pos) container.append(document.createTextNode(text.slice(pos, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    container.append(mark);
    pos = end;
  }
  if (pos < text.length) container.append(document.createTextNode(text.slice(pos)));
  return ranges.length;
}

async function fetchMeasure(n) {
  if (state.measureCache.has(n)) return state.measureCache.get(n);
  const data = await api(`/api/measures/${encodeURIComponent(n)}`);
  state.measureCache.set(n, data);
  return data;
}

function showDialog(dialog) {
  if (dialog.open) return;
  if (typeof dialog.showModal === "function") dialog.showModal();
  else dialog.setAttribute("open", "");
}

function fillPanel(m, quotes) {
  els.panelTitle.textContent = `第${m.measure}条 ${m.title || ""}`.trim();
  els.panelPart.textContent = m.part || "";
  const count = renderHighlighted(els.panelText, String(m.text || ""), quotes);
  els.panelNote.textContent = count ? "高亮部分为回答所引用的原文。" : "";
  els.panelNote.hidden = !count;
  const doc = state.doc;
  els.panelSource.textContent = doc ? `出自《${doc.title}》（${formatDate(doc.date)}）` : "";
  const first = els.panelText.querySelector("mark");
  if (first) first.scrollIntoView({ block: "center" });
  else els.panelText.parentElement.scrollTop = 0;
}

async function openMeasure(n, { quotes = [], opener = null, fallback = null } = {}) {
  state.panelOpener = opener || document.activeElement;
  const request = ++state.panelRequest;
  els.panel.dataset.measure = String(n);
  els.panelTitle.textContent = fallback ? `第${n}条 ${fallback.title || ""}`.trim() : `第${n}条`;
  els.panelPart.textContent = fallback ? fallback.part || "" : "";
  els.panelNote.hidden = true;
  els.panelSource.textContent = "";
  els.panelText.replaceChildren(h("p", { class: "muted", role: "status" }, "正在加载条款全文…"));
  showDialog(els.panel);
  els.panelClose.focus();
  try {
    const m = await fetchMeasure(n);
    if (request !== state.panelRequest) return;
    fillPanel(m, quotes);
  } catch (err) {
    if (request !== state.panelRequest) return;
    if (fallback && fallback.text) {
      fillPanel({ ...fallback, measure: n }, quotes);
    } else {
      els.panelText.replaceChildren(h("p", { class: "panel-error", role: "alert" },
        err instanceof ApiError && err.status === 404 ? "未找到该条款" : MSG.offline));
    }
  }
}

function closeDialog(dialog) {
  if (dialog.open) dialog.close();
}

/* ---------- browse panel ---------- */

async function loadBrowse() {
  if (state.measures && state.doc && state.doc.parts) return true;
  els.browseStatus.hidden = false;
  els.browseStatus.textContent = "正在加载条款目录…";
  try {
    const [doc, measures] = await Promise.all([
      state.doc && state.doc.parts ? state.doc : api("/api/document"),
      api("/api/measures"),
    ]);
    state.doc = doc;
    state.measures = measures;
    renderBrowse();
    els.browseStatus.hidden = true;
    return true;
  } catch (err) {
    els.browseStatus.textContent = err instanceof ApiError ? err.message : MSG.offline;
    return false;
  }
}

function renderBrowse() {
  const byNumber = new Map(state.measures.map((m) => [m.measure, m]));
  const parts = (state.doc.parts && state.doc.parts.length)
    ? state.doc.parts
    : groupByPart(state.measures);
  const nodes = parts.map((p) => {
    const headingId = `part-${p.number}`;
    const items = (p.measures || []).map((n) => {
      const m = byNumber.get(n) || { measure: n, title: "" };
      return h("li", {},
        h("button", {
          type: "button", class: "browse-item", "data-testid": "browse-measure", "data-measure": String(n),
          "aria-haspopup": "dialog",
          onclick: (ev) => openMeasure(n, { opener: ev.currentTarget, fallback: m }),
        },
        h("span", { class: "browse-num" }, `第${n}条`),
        h("span", { class: "browse-title" }, m.title || "")));
    });
    return h("section", { class: "browse-part", "aria-labelledby": headingId },
      h("h3", { class: "browse-heading", id: headingId }, p.heading || ""),
      h("ol", { class: "browse-list" }, items));
  });
  els.browseNav.replaceChildren(...nodes);
}

function groupByPart(measures) {
  const parts = [];
  for (const m of measures) {
    let part = parts.find((p) => p.heading === m.part);
    if (!part) {
      part = { number: parts.length + 1, heading: m.part, measures: [] };
      parts.push(part);
    }
    part.measures.push(m.measure);
  }
  return parts;
}

function openBrowse() {
  state.browseOpener = document.activeElement;
  els.browseBtn.setAttribute("aria-expanded", "true");
  showDialog(els.browsePanel);
  els.browseClose.focus();
  loadBrowse();
}

/* ---------- wiring ---------- */

function restoreFocus(target) {
  if (target && target.isConnected && typeof target.focus === "function") {
    // Let the dialog finish closing before moving focus.
    setTimeout(() => target.focus(), 0);
  }
}

function wire() {
  els.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (state.pending) return;
    const question = sendable(els.input.value);
    if (question === null) return;
    els.input.value = "";
    updateCount();
    ask(question);
  });

  els.input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      els.form.requestSubmit ? els.form.requestSubmit() : els.send.click();
    }
  });
  els.input.addEventListener("input", updateCount);

  for (const b of document.querySelectorAll("[data-testid='starter-question']")) {
    b.addEventListener("click", () => ask(b.textContent));
  }

  els.browseBtn.addEventListener("click", openBrowse);
  els.browseClose.addEventListener("click", () => closeDialog(els.browsePanel));
  els.browsePanel.addEventListener("close", () => {
    els.browseBtn.setAttribute("aria-expanded", "false");
    restoreFocus(state.browseOpener || els.browseBtn);
  });

  els.panelClose.addEventListener("click", () => closeDialog(els.panel));
  els.panel.addEventListener("close", () => {
    state.panelRequest++;
    restoreFocus(state.panelOpener);
  });

  // Escape closes the topmost dialog (native <dialog> does this too; this covers older browsers).
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    if (els.panel.open) { ev.preventDefault(); closeDialog(els.panel); }
    else if (els.browsePanel.open) { ev.preventDefault(); closeDialog(els.browsePanel); }
  });

  // Click on the backdrop (outside the sheet) closes it.
  for (const dialog of [els.panel, els.browsePanel]) {
    dialog.addEventListener("click", (ev) => {
      if (ev.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      const inside = ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
      if (!inside) closeDialog(dialog);
    });
  }

  els.newChat.addEventListener("click", () => {
    if (state.pending) return;
    state.history = [];
    els.log.replaceChildren();
    document.body.classList.remove("has-messages");
    els.scroll.scrollTop = 0;
    els.input.focus();
  });

  updateCount();
}

wire();
loadDocument();
document.documentElement.dataset.ready = "true";
