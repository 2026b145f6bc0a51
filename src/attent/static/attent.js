// Small behaviours the pages need; the CSP allows no inline script, so everything lives here.
"use strict";

// Countdowns: <time data-countdown="2026-11-23T09:30:00Z"> shows "in 12 min" / "1 h 5 min late", every 15 s.
// The words match the server's first rendering (templates/_macros.html), so nothing jumps on load.
function attentCountdowns(root) {
  const lang = document.documentElement.lang || "nl";
  const hour = lang === "en" ? "h" : "u";
  const span = (m) => (m < 60 ? `${m} min` : `${Math.floor(m / 60)} ${hour} ${m % 60} min`);
  const words = lang === "en"
    ? { in: (m) => `in ${span(m)}`, late: (m) => `${span(m)} late`, now: "now" }
    : { in: (m) => `over ${span(m)}`, late: (m) => `${span(m)} te laat`, now: "nu" };
  for (const el of root.querySelectorAll("[data-countdown]")) {
    const minutes = Math.round((Date.parse(el.dataset.countdown) - Date.now()) / 60000);
    el.textContent = minutes === 0 ? words.now : minutes > 0 ? words.in(minutes) : words.late(-minutes);
    el.classList.toggle("late", minutes < 0);
    el.classList.toggle("soon", minutes >= 0 && minutes <= 5);
  }
}

// Every request the pages' scripts make with the session cookie carries the session's CSRF token,
// which the JSON API requires beside the cookie (a cross-site form cannot send a header).
function attentCsrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? { "X-CSRF-Token": meta.content } : {};
}
document.addEventListener("htmx:configRequest", (event) => Object.assign(event.detail.headers, attentCsrf()));

document.addEventListener("DOMContentLoaded", () => {
  attentCountdowns(document);
  setInterval(() => attentCountdowns(document), 15000);
});

// A page drawn in answer to a refused form stands at the form's POST address (<body data-page> is set
// only then); put the page's own address in its place, so a reload asks for the page and never posts
// the form again.
document.addEventListener("DOMContentLoaded", () => {
  const own = document.body.dataset.page;
  if (own) history.replaceState(null, "", own + window.location.hash);
});
document.addEventListener("htmx:afterSettle", (event) => attentCountdowns(event.target));

// Live case page: <div data-live="/cases/<id>/live"> opens a server-sent event stream; on each
// "changed" the page fetches itself and swaps the panels marked data-live-panel. A panel the agent is
// typing in (focus inside, or a field that differs from what the page brought) waits for the next
// change; scorecards and other <details> that were open stay open.
function attentBusy(panel) {
  if (panel.contains(document.activeElement) && document.activeElement !== document.body) return true;
  for (const field of panel.querySelectorAll("input, textarea")) {
    if (field.type !== "hidden" && field.value !== field.defaultValue) return true;
  }
  for (const option of panel.querySelectorAll("option")) {
    if (option.selected !== option.defaultSelected) return true;
  }
  return false;
}
function attentLive() {
  const root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) return;
  let pending = null;
  const refresh = async () => {
    pending = null;
    // The page's own address, never a form's: after a refused form the browser may still stand on it.
    const own = root.dataset.page || window.location.pathname;
    const response = await fetch(own, { credentials: "same-origin", headers: attentCsrf() });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const panel of document.querySelectorAll("[data-live-panel][id]")) {
      const next = fresh.getElementById(panel.id);
      if (!next || next.innerHTML === panel.innerHTML || attentBusy(panel)) continue;
      const open = [...panel.querySelectorAll("details")].map((d) => d.open);
      panel.innerHTML = next.innerHTML;
      const details = panel.querySelectorAll("details");
      if (details.length === open.length) details.forEach((d, i) => { d.open = open[i]; });
    }
    attentCountdowns(document);
    document.body.dataset.liveRefreshed = String(Date.now());
  };
  const source = new EventSource(root.dataset.live);
  source.addEventListener("changed", () => { pending = pending || setTimeout(refresh, 150); });
  source.addEventListener("open", () => { document.body.dataset.live = "open"; });
}
document.addEventListener("DOMContentLoaded", attentLive);

// A form posts once. While its post is on its way, its submit buttons are disabled (a moment after the
// browser took the pressed button's name and value) and a second submit is dropped; the server's
// one-time token (core/pageforms.submit_once) catches whatever gets past. Back to the page (bfcache),
// or an htmx request done, and the form can be used again.
const attentSubmits = 'button:not([type]), button[type="submit"], input[type="submit"]';
function attentPosting(form, posting) {
  if (posting) form.dataset.posting = "1"; else delete form.dataset.posting;
  for (const button of form.querySelectorAll(attentSubmits)) {
    button.disabled = posting;
    button.toggleAttribute("aria-busy", posting);
  }
}
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  if (form.dataset.posting) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented) return;
  form.dataset.posting = "1";
  setTimeout(() => attentPosting(form, true), 0);
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-posting]")) attentPosting(form, false);
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (form && (event.detail.requestConfig?.verb || "").toLowerCase() === "post") attentPosting(form, true);
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (form && form.dataset.posting) attentPosting(form, false);
});

// The incoming-call panel (workspace/calls.py): <aside data-calls> opens the agent's call stream; on each
// "changed" (and once at the start) it fetches the panel's HTML, which the server escaped, and shows
// it while a call rings for the agent or is in their hands.
function attentCalls() {
  const aside = document.querySelector("aside[data-calls]");
  if (!aside || !window.EventSource) return;
  const refresh = async () => {
    const response = await fetch(aside.dataset.callsPanel, { credentials: "same-origin" });
    if (!response.ok) return;
    const html = (await response.text()).trim();
    if (html !== aside.innerHTML.trim()) aside.innerHTML = html;
    aside.hidden = html === "";
    document.body.dataset.callsRefreshed = String(Date.now());
  };
  const source = new EventSource(aside.dataset.calls);
  source.addEventListener("changed", refresh);
  source.addEventListener("open", () => { document.body.dataset.calls = "open"; refresh(); });
}
document.addEventListener("DOMContentLoaded", attentCalls);
// "/" on any page puts the cursor in the header's search box, unless one is already typing somewhere.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  const box = document.querySelector("[data-search-box]");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
// Search-as-you-type (the header's search box, the case page's canned-reply picker): htmx fills the list
// the box's aria-controls names; the arrow keys move through its options, Enter opens the one chosen
// (without one, Enter submits the box's form as before), Escape closes the list. Without JavaScript the
// boxes are plain GET forms.
function attentSuggest() {
  const options = (list) => Array.from(list.querySelectorAll('[role="option"]'));
  const close = (box, list) => {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  };
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    const box = list && list.id && document.querySelector(`[data-suggest][aria-controls="${list.id}"]`);
    if (!box) return;
    const open = options(list).length > 0 && box.value.trim() !== "";
    if (open) {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      box.removeAttribute("aria-activedescendant");
    } else {
      close(box, list);
    }
  });
  document.addEventListener("keydown", (event) => {
    const box = event.target.closest && event.target.closest("[data-suggest]");
    const list = box && document.getElementById(box.getAttribute("aria-controls"));
    if (!list || list.hidden) return;
    const all = options(list);
    const current = all.findIndex((o) => o.id === box.getAttribute("aria-activedescendant"));
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && all.length) {
      event.preventDefault();
      const down = event.key === "ArrowDown";
      const next = down ? (current + 1) % all.length : current <= 0 ? all.length - 1 : current - 1;
      all.forEach((o, i) => o.setAttribute("aria-selected", String(i === next)));
      box.setAttribute("aria-activedescendant", all[next].id);
      all[next].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      const link = all[current].querySelector("a");
      if (link) window.location.assign(link.href);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box, list);
    }
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("[data-suggest]").forEach((box) => {
      const list = document.getElementById(box.getAttribute("aria-controls"));
      if (list && !list.hidden && !box.contains(event.target) && !list.contains(event.target)) close(box, list);
    });
  });
}
document.addEventListener("DOMContentLoaded", attentSuggest);
