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

document.addEventListener("DOMContentLoaded", () => {
  attentCountdowns(document);
  setInterval(() => attentCountdowns(document), 15000);
});
document.addEventListener("htmx:afterSettle", (event) => attentCountdowns(event.target));
