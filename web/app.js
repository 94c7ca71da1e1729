// 聊城教育政策助手 — web chat front-end.
// Plain ES module, no dependencies. All user and document text is rendered with
// textContent / createTextNode only (never innerHTML), so the page is safe under a strict CSP.
// answer-view.js builds each answer; links.js reads and writes the page's shareable links.

import { renderAnswer } from "./answer-view.js";
import { copyText, flashLabel, h, icon, scrollToCentreOf, scrollToTopOf } from "./dom.js";
import { measureHash, measureUrl, parseLink, setHash, takeQuestionParam } from "./links.js";

const MAX_LEN = 500;
const HISTORY_TURNS = 1;         // the service reads only the last turn: send no more
const HISTORY_ANSWER_CHARS = 200; // of its answer, the opening that names the documents quoted
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
  panelBody: $("measure-body"),
  panelCopy: $("measure-copy-link"),
  panelCopyLabel: $("measure-copy-label"),
  panelLinkStatus: $("measure-link-status"),
  panelLinkBox: $("measure-link-box"),
  panelLinkInput: $("measure-link-input"),
  englishToggle: $("english-toggle"),
  docFilter: $("document-filter"),
  docFilterWrap: $("document-filter-wrap"),
  browseDoc: $("browse-document"),
};

const state = {
  history: [],          // [{question, answer}] — the last turn: its question and its answer's opening
  pending: false,
  doc: null,            // /api/document: the Liaocheng policy
  documents: null,      // /api/documents: every document the server answers from
  policyId: null,       // the policy's id among them (its measures have the short links #m7)
  docLoaded: null,      // the promise of loading both
  browseCache: new Map(), // id -> /api/documents/{id}
  measureCache: new Map(),
  panelOpener: null,
  browseOpener: null,
  panelRequest: 0,
};

function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso || "";
}

function scrollToBottom() {
  els.scroll.scrollTop = els.scroll.scrollHeight;
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

async function loadDocuments() {
  try {
    const [doc, documents] = await Promise.all([api("/api/document").catch(() => null), api("/api/documents")]);
    state.doc = doc;
    state.documents = documents;
    const policy = doc && documents.find((d) => d.title === doc.title);
    state.policyId = policy ? policy.id : null;
    showHeader();
    fillDocumentChoices();
    return documents;
  } catch {
    els.docTitle.textContent = "聊城市教育政策及国家、山东省教育法律法规";
    els.docIssuers.textContent = "";
    els.docDate.textContent = "";
    return null;
  }
}

function documentById(id) {
  return (state.documents || []).find((d) => d.id === id) || null;
}

// One document: its title, issuers and date, as before. Several: what they are together.
function showHeader() {
  const docs = state.documents;
  if (docs.length === 1 && state.doc && docs[0].id === state.policyId) {
    els.docTitle.textContent = `《${state.doc.title}》`;
    els.docIssuers.textContent = Array.isArray(state.doc.issuers) ? state.doc.issuers.join("、") : "";
    els.docDate.textContent = `${formatDate(state.doc.date)}印发`;
    return;
  }
  const levels = LEVELS.filter((level) => docs.some((d) => d.level === level));
  const laws = levels.filter((level) => level !== "聊城市");
  els.docTitle.textContent = levels.includes("聊城市")
    ? `聊城市教育政策${laws.length ? `及${laws.join("、")}教育法律法规` : ""}`
    : `${laws.join("、")}教育法律法规`;
  // no issuers for several documents: the count alone, without the separator issuers end with
  els.docIssuers.textContent = "";
  els.docDate.textContent = `共${docs.length}份文件`;
}

const LEVELS = ["国家", "山东省", "聊城市"];

// The document filter (ask within one document) and the browse panel's document choice.
function fillDocumentChoices() {
  const docs = state.documents;
  const groups = LEVELS.map((level) => [level, docs.filter((d) => d.level === level)]).filter(([, ds]) => ds.length);
  const options = () => groups.map(([level, ds]) => h("optgroup", { label: level },
    ds.map((d) => h("option", { value: d.id }, d.name))));
  els.docFilter.replaceChildren(h("option", { value: "" }, `全部文件（${docs.length}份）`), ...options());
  els.docFilterWrap.hidden = docs.length < 2;
  els.browseDoc.replaceChildren(...options());
  els.browseDoc.value = state.policyId || docs[0].id;
  els.browseDoc.closest("p").hidden = docs.length < 2;
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
  for (const b of document.querySelectorAll("[data-testid='starter-question'], .suggestion, .retry-button")) b.disabled = pending;
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
    const scope = els.docFilter.value;
    const data = await api("/api/ask", {
      method: "POST",
      body: scope ? { question, history, documents: [scope] } : { question, history },
      timeout: ASK_TIMEOUT_MS,
      context: { question },
    });
    loading.remove();
    const msg = renderAnswer(data, question, answerContext);
    els.log.append(msg);
    scrollToTopOf(els.scroll, userNode || msg);
    // The answer's opening names the documents it quotes, so that a bare 第十三条 next is read in them.
    state.history.push({ question, answer: [...String(data.answer || "")].slice(0, HISTORY_ANSWER_CHARS).join("") });
    if (state.history.length > HISTORY_TURNS) state.history = state.history.slice(-HISTORY_TURNS);
  } catch (err) {
    loading.remove();
    const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 429;
    addError(err instanceof ApiError ? err.message : MSG.offline, retryable ? question : null);
  } finally {
    setPending(false);
  }
}

/* ---------- what an answer needs from the page ---------- */

const answerContext = {
  maxLength: MAX_LEN,
  openMeasure: (n, options) => openMeasure(n, options),
  ask: (question) => ask(question),
  browse: () => openBrowse(),
  postFeedback: async (body) => {
    try {
      await api("/api/feedback", { method: "POST", body });
      return true;
    } catch {
      return false;
    }
  },
};

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

// `docId`: a document other than the policy (the policy's measures are served at /api/measures).
async function fetchMeasure(n, docId) {
  const key = `${docId || ""}/${n}`;
  if (state.measureCache.has(key)) return state.measureCache.get(key);
  const path = docId
    ? `/api/documents/${encodeURIComponent(docId)}/articles/${encodeURIComponent(n)}`
    : `/api/measures/${encodeURIComponent(n)}`;
  const data = await api(path);
  state.measureCache.set(key, data);
  return data;
}

function showDialog(dialog) {
  if (dialog.open) return;
  if (typeof dialog.showModal === "function") dialog.showModal();
  else dialog.setAttribute("open", "");
}

// 第7条 提高教师待遇 for the policy; 教师法 第二十五条 for a law (its articles are titled by number).
function articleName(n, m, docId) {
  if (!docId) return `第${n}条 ${(m && m.title) || ""}`.trim();
  const d = documentById(docId);
  const name = (m && m.document_name) || (d && d.name) || docId;
  return `${name} ${(m && (m.label || m.title)) || `第${n}条`}`;
}

function fillPanel(m, quotes, docId) {
  els.panelTitle.textContent = articleName(m.measure, m, docId);
  els.panelPart.textContent = m.part || "";
  const count = renderHighlighted(els.panelText, String(m.text || ""), quotes);
  els.panelNote.textContent = count ? "高亮部分为回答所引用的原文。" : "";
  els.panelNote.hidden = !count;
  const d = docId ? documentById(docId) : state.doc;
  els.panelSource.textContent = !d ? ""
    : docId ? `出自《${d.title}》（${d.version || formatDate(d.date)}）` : `出自《${d.title}》（${formatDate(d.date)}）`;
  const first = els.panelText.querySelector("mark");
  if (first) scrollToCentreOf(els.panelBody, first);
  else els.panelBody.scrollTop = 0;
}

function notFound(n, docId) {
  if (!docId) {
    const policy = documentById(state.policyId);
    const count = policy ? policy.articles : 0;
    return count ? `本文件共${count}条（第1—${count}条），没有第${n}条。` : "未找到该条款";
  }
  const d = documentById(docId);
  return d ? `《${d.name}》共${d.articles}条，没有第${n}条。` : `没有找到这份文件（${docId}）。`;
}

function panelMessage(text) {
  els.panelText.replaceChildren(h("p", { class: "panel-error", role: "alert" }, text));
}

// `doc`: the document's id (a chip's, or a link's such as #teachers-law/25); none or the policy's
// opens a measure of the policy.
async function openMeasure(n, { quotes = [], opener = null, fallback = null, doc = null } = {}) {
  await state.docLoaded; // which id is the policy's
  const docId = doc && doc !== state.policyId ? doc : null;
  state.panelOpener = opener || document.activeElement;
  const request = ++state.panelRequest;
  els.panel.dataset.measure = String(n);
  els.panel.dataset.document = docId || "";
  els.panelTitle.textContent = articleName(n, fallback, docId);
  els.panelPart.textContent = fallback ? fallback.part || "" : "";
  els.panelNote.hidden = true;
  els.panelSource.textContent = "";
  resetLinkCopy();
  els.panelCopy.hidden = false;
  els.panelText.replaceChildren(h("p", { class: "muted", role: "status" }, "正在加载条款全文…"));
  showDialog(els.panel);
  els.panelClose.focus();
  setHash(measureHash(n, docId));
  try {
    const m = await fetchMeasure(n, docId);
    if (request !== state.panelRequest) return;
    fillPanel(m, quotes, docId);
  } catch (err) {
    if (request !== state.panelRequest) return;
    if (fallback && fallback.text) {
      fillPanel({ ...fallback, measure: n }, quotes, docId);
    } else if (err instanceof ApiError && err.status === 404) {
      els.panelCopy.hidden = true;
      panelMessage(notFound(n, docId));
    } else {
      panelMessage(MSG.offline);
    }
  }
}

function resetLinkCopy() {
  els.panelLinkStatus.textContent = "";
  els.panelLinkBox.hidden = true;
}

// The link to the open measure: copied with a visible confirmation, or shown selected for a manual
// copy when the browser gives no clipboard access.
async function copyMeasureLink() {
  const url = measureUrl(Number(els.panel.dataset.measure), els.panel.dataset.document || null);
  const ok = await copyText(url);
  flashLabel(els.panelCopy, els.panelCopyLabel, ok, { done: "已复制链接", failed: "复制失败", idle: "复制链接" });
  els.panelLinkStatus.textContent = ok ? `链接已复制：${url}` : "无法访问剪贴板，请手动复制下面的链接：";
  els.panelLinkBox.hidden = ok;
  if (!ok) {
    els.panelLinkInput.value = url;
    els.panelLinkInput.focus();
    els.panelLinkInput.select();
  }
}

// Opens the measure a link such as /#m7 or /#teachers-law/25 names (on load and when the address's
// hash changes).
function openLinkedMeasure() {
  const link = parseLink(location.hash);
  if (!link) return;
  if (els.panel.open && (link.doc || "") === els.panel.dataset.document
      && els.panel.dataset.measure === String(link.measure)) return;
  openMeasure(link.measure, { doc: link.doc, opener: els.input });
}

function closeDialog(dialog) {
  if (dialog.open) dialog.close();
}

/* ---------- browse panel ---------- */

// The chosen document's parts (or chapters) and measures (or articles).
async function loadBrowse() {
  await state.docLoaded;
  const id = els.browseDoc.value || state.policyId;
  if (!id) {
    els.browseStatus.textContent = MSG.offline;
    return false;
  }
  els.browseStatus.hidden = false;
  els.browseStatus.textContent = "正在加载条款目录…";
  try {
    if (!state.browseCache.has(id)) state.browseCache.set(id, await api(`/api/documents/${encodeURIComponent(id)}`));
    if (els.browseDoc.value && els.browseDoc.value !== id) return false; // another document was chosen meanwhile
    renderBrowse(state.browseCache.get(id));
    els.browseStatus.hidden = true;
    return true;
  } catch (err) {
    els.browseStatus.textContent = err instanceof ApiError ? err.message : MSG.offline;
    return false;
  }
}

function renderBrowse(detail) {
  const docId = detail.id === state.policyId ? null : detail.id;
  const byNumber = new Map(detail.measures.map((m) => [m.measure, m]));
  // a text without chapters is one list under its name
  const parts = detail.parts.length ? detail.parts
    : [{ number: 0, heading: detail.name, measures: detail.measures.map((m) => m.measure) }];
  const nodes = parts.map((p) => {
    const headingId = `part-${detail.id}-${p.number}`;
    const items = (p.measures || []).map((n) => {
      const m = { ...byNumber.get(n), document_name: detail.name };
      const article = /^第.+条$/.test(m.title || "");
      return h("li", {},
        h("button", {
          type: "button", class: "browse-item", "data-testid": "browse-measure", "data-measure": String(n),
          "data-document": detail.id, "aria-haspopup": "dialog",
          onclick: (ev) => openMeasure(n, { opener: ev.currentTarget, fallback: m, doc: docId }),
        },
        h("span", { class: "browse-num" }, m.label || `第${n}条`),
        h("span", { class: "browse-title" }, article ? m.first_sentence || "" : m.title || "")));
    });
    return h("section", { class: "browse-part", "aria-labelledby": headingId },
      h("h3", { class: "browse-heading", id: headingId }, p.heading || ""),
      h("ol", { class: "browse-list" }, items));
  });
  els.browseNav.replaceChildren(...nodes);
}

function openBrowse() {
  state.browseOpener = document.activeElement;
  els.browseBtn.setAttribute("aria-expanded", "true");
  if (els.docFilter.value) els.browseDoc.value = els.docFilter.value; // browse what one asks about
  showDialog(els.browsePanel);
  els.browseClose.focus();
  loadBrowse();
}

/* ---------- English renderings ---------- */

// English questions always show the unofficial renderings under the quotes; this page-wide setting
// shows them for every answer, and is remembered in this browser.
const ENGLISH_KEY = "policy-assistant.show-english";

function showEnglish(on) {
  document.body.classList.toggle("show-english", on);
}

function storedEnglish() {
  try {
    return localStorage.getItem(ENGLISH_KEY) === "1";
  } catch {
    return false; // storage blocked (private mode, policy): the setting lasts for this page only
  }
}

function storeEnglish(on) {
  try {
    localStorage.setItem(ENGLISH_KEY, on ? "1" : "0");
  } catch {
    /* see storedEnglish */
  }
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
  els.browseDoc.addEventListener("change", loadBrowse);
  els.browseClose.addEventListener("click", () => closeDialog(els.browsePanel));
  els.browsePanel.addEventListener("close", () => {
    els.browseBtn.setAttribute("aria-expanded", "false");
    restoreFocus(state.browseOpener || els.browseBtn);
  });

  els.panelClose.addEventListener("click", () => closeDialog(els.panel));
  els.panel.addEventListener("close", () => {
    state.panelRequest++;
    setHash("");
    restoreFocus(state.panelOpener);
  });
  els.panelCopy.prepend(icon("link"));
  els.panelCopy.addEventListener("click", copyMeasureLink);
  window.addEventListener("hashchange", openLinkedMeasure);

  els.englishToggle.checked = storedEnglish();
  showEnglish(els.englishToggle.checked);
  els.englishToggle.addEventListener("change", () => {
    showEnglish(els.englishToggle.checked);
    storeEnglish(els.englishToggle.checked);
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
state.docLoaded = loadDocuments();
openLinkedMeasure();
const linkedQuestion = takeQuestionParam();
if (linkedQuestion !== null) ask(linkedQuestion);
document.documentElement.dataset.ready = "true";
