// Small progressive enhancements; every page works without this file.
"use strict";

// Forms, and submit buttons, with data-confirm ask before they submit (leave group, delete comment...).
document.addEventListener("submit", (event) => {
  const submitter = event.submitter;
  const message = (submitter && submitter.dataset.confirm) || (event.target.dataset && event.target.dataset.confirm);
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Buttons with data-copy copy the value of the element they name.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.value).then(() => { button.textContent = P6.t("copied"); });
  }
});

// Words the server translated for this page's scripts (platform6/i18n.py JS_MESSAGES): P6.t("copied").
window.P6 = window.P6 || {};
P6.messages = JSON.parse(document.body.dataset.messages || "{}");
P6.t = (key) => P6.messages[key] || key;

// The browser's own time zone: for a signed-out reader's pages (a cookie) and a new account (the sign-up form).
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  if (!document.body.dataset.userId && !document.cookie.split("; ").some((c) => c === "time_zone=" + zone)) {
    document.cookie = "time_zone=" + zone + "; path=/; max-age=31536000; samesite=lax";
  }
  document.querySelectorAll("input[type=hidden][name=time_zone]").forEach((input) => { input.value = zone; });
})();

// The header's menu under 640 px: the button (hidden without JavaScript, when the links simply show) folds
// and unfolds them. Escape closes it and gives the focus back to the button.
(() => {
  const header = document.querySelector(".site-header");
  const button = header && header.querySelector(".menu-button");
  if (!button) return;
  const set = (open) => button.setAttribute("aria-expanded", open ? "true" : "false");
  header.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();

// A table or chart wider than the screen scrolls inside its box (.table-wrap, .chart): the box takes the
// keyboard focus then, so that it can be scrolled with the arrow keys too (WCAG 2.1.1).
(() => {
  const mark = () => {
    document.querySelectorAll(".table-wrap, .chart").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          if (box.tagName === "DIV") box.setAttribute("role", "region");
          box.setAttribute("aria-label", P6.t("scrolls"));
        }
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  };
  mark();
  window.addEventListener("resize", mark);
})();
