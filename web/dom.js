// DOM helpers shared by the page's modules. Strings always become text nodes, never HTML, so the
// page is safe under a strict CSP and against markup in questions or answers.

export function h(tag, attrs = {}, ...children) {
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

const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {
  up: [["path", { d: "M7 11v10H4a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1h3z" }],
    ["path", { d: "M7 11l4-8a3 3 0 0 1 3 3v4h5.3a2 2 0 0 1 2 2.3l-1.3 8a2 2 0 0 1-2 1.7H7" }]],
  down: [["path", { d: "M17 13V3h3a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1h-3z" }],
    ["path", { d: "M17 13l-4 8a3 3 0 0 1-3-3v-4H4.7a2 2 0 0 1-2-2.3l1.3-8a2 2 0 0 1 2-1.7H17" }]],
  copy: [["rect", { x: "9", y: "9", width: "12", height: "12", rx: "2" }],
    ["path", { d: "M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1" }]],
  link: [["path", { d: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" }],
    ["path", { d: "M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" }]],
  info: [["circle", { cx: "12", cy: "12", r: "9" }], ["path", { d: "M12 11v6" }], ["path", { d: "M12 7.5v.5" }]],
};

export function icon(name) {
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

// The Clipboard API needs a secure context (https or localhost); a school intranet on plain http
// falls back to the legacy copy command. Resolves to whether the text reached the clipboard.
export async function copyText(text) {
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

// Shows `label` on `button` for two seconds after a copy (the visible confirmation), then `idle`.
export function flashLabel(button, labelNode, ok, { done, failed, idle }) {
  labelNode.textContent = ok ? done : failed;
  button.classList.toggle("copied", ok);
  clearTimeout(button._flash);
  button._flash = setTimeout(() => { labelNode.textContent = idle; button.classList.remove("copied"); }, 2000);
}

// Scroll `node` to the top of `scroller` without scrolling any other ancestor (scrollIntoView
// would also scroll the page itself and push the header out of view).
export function scrollToTopOf(scroller, node, margin = 12) {
  const top = node.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  scroller.scrollTop = Math.max(0, top - margin);
}

export function scrollToCentreOf(scroller, node) {
  const top = node.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
  scroller.scrollTop = Math.max(0, top - (scroller.clientHeight - node.offsetHeight) / 2);
}
