// Small behaviours the pages need; the CSP allows no inline script, so everything lives here.
"use strict";

// Countdowns: <time data-countdown="2026-11-23T09:30:00Z"> shows "in 12 min" / "3 min late", every 15 s.
function attentCountdowns(root) {
  const lang = document.documentElement.lang || "nl";
  const words = lang === "en"
    ? { in: (m) => `in ${m} min`, late: (m) => `${m} min late`, now: "now" }
    : { in: (m) => `over ${m} min`, late: (m) => `${m} min te laat`, now: "nu" };
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
