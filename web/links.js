// Page links a colleague can be sent:
//   /#m7                 第7条 of the Liaocheng policy, shown in the measure panel
//   /#teachers-law/25    第二十五条 of another document, by its id (as in /api/documents)
//   /?q=班主任每月绩效多少   asks that question when the page opens
// Parsing is kept apart from the page so that new link forms are added in one place.

const MEASURE = /^m(\d{1,4})$/i;
const DOC_MEASURE = /^([a-z0-9][a-z0-9-]{0,62})\/(\d{1,4})$/i;

// {doc: null | slug, measure: n} for a measure link, else null.
export function parseLink(hash) {
  let text;
  try {
    text = decodeURIComponent(String(hash || "").replace(/^#/, "")).trim();
  } catch {
    return null; // a malformed %-escape is not a link
  }
  let m = MEASURE.exec(text);
  if (m) return { doc: null, measure: Number(m[1]) };
  m = DOC_MEASURE.exec(text);
  if (m) return { doc: m[1].toLowerCase(), measure: Number(m[2]) };
  return null;
}

export function measureHash(measure, doc = null) {
  return doc ? `#${doc}/${measure}` : `#m${measure}`;
}

export function measureUrl(measure, doc = null) {
  return `${location.origin}${location.pathname}${measureHash(measure, doc)}`;
}

export function questionUrl(question) {
  return `${location.origin}${location.pathname}?q=${encodeURIComponent(question)}`;
}

// The `q` parameter's question, removed from the address so that a reload does not ask it again.
export function takeQuestionParam() {
  const params = new URLSearchParams(location.search);
  if (!params.has("q")) return null;
  const question = params.get("q");
  params.delete("q");
  const rest = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  return question;
}

// Reflect the open measure in the address bar without adding history entries.
export function setHash(hash) {
  const url = `${location.pathname}${location.search}${hash}`;
  if (`${location.pathname}${location.search}${location.hash}` !== url) history.replaceState(history.state, "", url);
}
