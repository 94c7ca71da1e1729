// One assistant message, built from an Answer of /api/ask. The page says things once: a short lead
// line, then the documents' own words as quote blocks with their chips (第7条 for the policy's
// measures, 教师法 第二十五条 for a law's articles). The Answer's `answer` text (complete, for CLI and
// API users) is not shown; it is what the copy button copies.
//
// `ctx` is what the message needs from the page: {openMeasure(n, {quotes, opener, fallback, doc}),
// ask(question), browse(), postFeedback(body) -> Promise<boolean>, maxLength}.

import { copyText, flashLabel, h, icon } from "./dom.js";
import { questionUrl } from "./links.js";

const LABELS = {
  zh: {
    heading: (q) => `回答：${q}`,
    notCovered: "文件未涉及",
    invalidReference: "没有这一条",
    missing: "文件中没有提到：",
    related: "相关条款",
    maybeRelated: "可能相关",
    hint: "可以换个说法再问，或",
    hintReference: "也可以",
    browse: "浏览全部条款",
    suggestions: "可以这样问：",
    rendering: "非官方英文译文",
  },
  en: {
    heading: (q) => `Answer: ${q}`,
    notCovered: "Not covered by the document",
    invalidReference: "No such measure",
    missing: "Not addressed in the document: ",
    related: "Related measures",
    maybeRelated: "Possibly related",
    hint: "Try asking in other words, or ",
    hintReference: "You can also ",
    browse: "browse all measures",
    suggestions: "You could ask:",
    rendering: "Unofficial English rendering",
  },
};

const KINDS = new Set(["answer", "not_covered", "smalltalk", "unclear", "invalid_reference", "choose_document"]);
const NO_ACTIONS = new Set(["smalltalk", "choose_document"]); // nothing to rate, copy or link
const DECLINES = new Set(["not_covered", "invalid_reference"]);

function list(value) {
  return Array.isArray(value) ? value : [];
}

function missingItem(term) {
  return h("span", { class: "missing-item", "data-testid": "missing-item" }, term);
}

// `text` as nodes with each occurrence of a term (longest first) marked; and the terms found.
function markTerms(text, terms) {
  const sorted = [...terms].sort((a, b) => b.length - a.length);
  const nodes = [];
  const found = new Set();
  let pos = 0;
  for (;;) {
    let next = null;
    for (const term of sorted) {
      const at = text.indexOf(term, pos);
      if (at !== -1 && (next === null || at < next.at)) next = { at, term };
    }
    if (next === null) break;
    nodes.push(text.slice(pos, next.at), missingItem(next.term));
    found.add(next.term);
    pos = next.at + next.term.length;
  }
  nodes.push(text.slice(pos));
  return { nodes, found };
}

// A law's article is titled by its number (第二十五条) and named with its law: 教师法 第二十五条. The
// policy's measures have titles of their own and keep their short chip: 第7条.
function isArticle(c) {
  return /^第.+条$/.test(String(c.title || ""));
}

function citationLabel(c) {
  return isArticle(c) ? `${c.document_name || ""} ${c.title}`.trim() : `第${c.measure}条`;
}

// What the copy button copies: the complete answer text, then the measures it quotes. (A decline's
// text already names the possibly related measures.)
function copiedText(data, cited) {
  const sources = cited.map((c) => (isArticle(c) ? citationLabel(c) : `${citationLabel(c)} ${c.title}`)).join("；");
  return String(data.answer || "") + (sources ? `\n出处：${sources}` : "");
}

function chip(c, ctx, { small = false, quotes = [] } = {}) {
  const label = citationLabel(c);
  const named = isArticle(c) ? label : `${label} ${c.title}`;
  return h("button", {
    type: "button",
    class: small ? "chip chip-small" : "chip",
    "data-testid": "citation-chip",
    "data-measure": String(c.measure),
    "data-document": c.document || null,
    title: `${named}：点击查看全文`,
    "aria-label": `${named}，查看条款全文`,
    "aria-haspopup": "dialog",
    onclick: (ev) => ctx.openMeasure(c.measure, { quotes, opener: ev.currentTarget, fallback: c, doc: c.document || null }),
  }, label);
}

// Beside the chip: a measure's title, or for a law's article the law with its level and version, so
// an answer drawing on several levels shows which is national, provincial and local.
function measureTitle(c, lang, cls = "cite-title") {
  if (isArticle(c)) {
    const version = c.document_version ? `（${c.document_version}）` : "";
    return h("span", { class: cls }, `${c.document_level || ""} · 《${c.document_title || ""}》${version}`);
  }
  return h("span", { class: cls }, c.title,
    lang === "en" && c.title_en ? h("span", { class: "cite-title-en", lang: "en" }, ` · ${c.title_en}`) : null);
}

// One block per quote: the verbatim sentence, its unofficial English rendering (shown for English
// questions, or always with the page's toggle), and the chip that opens the measure on that sentence.
function quoteBlock(c, index, t, lang, ctx) {
  const quote = c.quotes[index];
  const english = list(c.quotes_en)[index];
  return h("figure", { class: "quote-block", "data-testid": "quote" },
    h("blockquote", { class: "quote", lang: "zh-CN" }, quote),
    english ? h("p", { class: "quote-en", "data-testid": "quote-en", lang: "en" },
      h("span", { class: "quote-en-label", lang: lang === "en" ? "en" : "zh-CN" }, t.rendering), english) : null,
    h("figcaption", { class: "quote-source" }, chip(c, ctx, { quotes: [quote] }), measureTitle(c, lang)));
}

function relatedSection(citations, label, lang, ctx) {
  const items = citations.map((c) => h("li", {}, chip(c, ctx, { small: true }), measureTitle(c, lang, "related-title")));
  return h("section", { class: "related", "aria-label": label },
    h("h3", { class: "section-label" }, label), h("ul", { class: "related-list" }, items));
}

function suggestionList(suggestions, t, ctx) {
  const items = suggestions.map((s) => h("li", {},
    h("button", { type: "button", class: "starter suggestion", "data-testid": "suggestion", onclick: () => ctx.ask(s) }, s)));
  // The lead already introduces the examples ("比如可以问："); the heading is for screen readers.
  return h("section", { class: "suggestions", "aria-label": t.suggestions },
    h("h3", { class: "visually-hidden" }, t.suggestions), h("ul", { class: "suggestion-list" }, items));
}

export function renderAnswer(data, question, ctx) {
  const kind = KINDS.has(data.kind) ? data.kind : "answer";
  const lang = data.lang === "en" ? "en" : "zh";
  const t = LABELS[lang];
  const citations = list(data.citations);
  const cited = citations.filter((c) => list(c.quotes).length);
  const related = citations.filter((c) => !list(c.quotes).length);
  const headingId = `answer-${Math.random().toString(36).slice(2, 9)}`;

  const article = h("article", {
    class: `msg msg-assistant kind-${kind} lang-${lang}`, "data-testid": "message-assistant",
    "data-kind": kind, "aria-labelledby": headingId,
  }, h("h2", { class: "visually-hidden", id: headingId }, t.heading(question)));
  const bubble = h("div", { class: DECLINES.has(kind) ? "bubble bubble-assistant bubble-decline" : "bubble bubble-assistant" });
  article.append(bubble);

  if (DECLINES.has(kind)) {
    bubble.append(h("p", { class: "decline-badge", "data-testid": "decline-badge" },
      icon("info"), kind === "invalid_reference" ? t.invalidReference : t.notCovered));
  }
  // What a decline lacks is marked where the lead names it, and listed only if the lead does not.
  const missing = kind === "not_covered" ? list(data.missing).filter((m) => typeof m === "string" && m.trim()) : [];
  const lead = markTerms(String(data.lead || ""), missing);
  bubble.append(h("p", { class: "answer-lead", "data-testid": "answer-lead", lang: lang === "en" ? "en" : null },
    lead.nodes));
  const unnamed = missing.filter((m) => !lead.found.has(m));
  if (unnamed.length) {
    bubble.append(h("p", { class: "missing", "data-testid": "missing" },
      h("span", { class: "missing-label" }, t.missing), unnamed.map(missingItem)));
  }

  if (cited.length) {
    bubble.append(h("div", { class: "quotes" },
      cited.flatMap((c) => c.quotes.map((_, i) => quoteBlock(c, i, t, lang, ctx)))));
  }
  if (related.length) {
    bubble.append(relatedSection(related, kind === "answer" ? t.related : t.maybeRelated, lang, ctx));
  }
  if (DECLINES.has(kind)) {
    bubble.append(h("p", { class: "decline-hint" }, kind === "invalid_reference" ? t.hintReference : t.hint,
      h("button", { type: "button", class: "link-button inline-link", "data-testid": "browse-link", onclick: () => ctx.browse() }, t.browse),
      lang === "en" ? "." : "。"));
  }
  const suggestions = list(data.suggestions).filter((s) => typeof s === "string" && s.trim());
  if (suggestions.length) bubble.append(suggestionList(suggestions, t, ctx));

  // Small talk and the question which document is meant need no rating or copying; everything else
  // can be rated, copied and linked.
  if (!NO_ACTIONS.has(kind)) bubble.append(renderActions(data, question, cited, ctx));
  return article;
}

function actionButton(testid, iconName, text, label) {
  return h("button", {
    type: "button", class: "action-button", "data-testid": testid, "aria-label": label, title: label,
  }, icon(iconName), h("span", { class: "action-text" }, text));
}

function renderActions(data, question, cited, ctx) {
  const rated = cited.slice(0, 5); // the API takes at most 5 in a rating
  const measures = rated.map((c) => c.measure);
  const documents = rated.every((c) => c.document) ? rated.map((c) => c.document) : null;
  const status = h("span", { class: "action-status", role: "status", tabindex: "-1" });
  const up = actionButton("feedback-up", "up", "有帮助", "👍 回答有帮助");
  const down = actionButton("feedback-down", "down", "没帮助", "👎 回答没有帮助");
  for (const b of [up, down]) {
    b.setAttribute("aria-pressed", "false");
    b.querySelector(".action-text").setAttribute("aria-hidden", "true");
  }
  const copy = actionButton("copy-button", "copy", "复制", "复制回答和出处");
  const link = actionButton("answer-link-button", "link", "链接", "复制这个问题的链接");

  const bar = h("div", { class: "actions" }, up, down, copy, link, status);
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
    if (documents) body.answer_documents = documents;
    if (reason) body.reason = reason.slice(0, ctx.maxLength);
    const ok = await ctx.postFeedback(body);
    done(ok, pressed);
    return ok;
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
      id, class: "reason-input", rows: "2", maxlength: String(ctx.maxLength), "data-testid": "feedback-reason",
      placeholder: "例如：没有回答我的问题 / 引用的条款不对（选填）",
    });
    const submit = h("button", { type: "submit", class: "small-button primary", "data-testid": "feedback-submit" }, "提交反馈");
    const cancel = h("button", { type: "button", class: "small-button", "data-testid": "feedback-cancel" }, "取消");
    form = h("form", { class: "reason-form", "data-testid": "feedback-form", "aria-label": "反馈原因" },
      h("label", { for: id, class: "reason-label" }, `哪里不满意？（选填，最多${ctx.maxLength}字）`),
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

  const copyWithConfirmation = async (button, text, labels, failure) => {
    const ok = await copyText(text);
    flashLabel(button, button.querySelector(".action-text"), ok, labels);
    if (!ok) {
      status.textContent = failure;
      status.className = "action-status bad";
    }
  };
  copy.addEventListener("click", () => copyWithConfirmation(copy, copiedText(data, cited),
    { done: "已复制", failed: "复制失败", idle: "复制" }, "无法访问剪贴板，请手动选择文字复制"));
  link.addEventListener("click", () => {
    const url = questionUrl(question);
    copyWithConfirmation(link, url, { done: "已复制链接", failed: "复制失败", idle: "链接" },
      `无法访问剪贴板，请手动复制链接：${url}`);
  });

  return wrap;
}
