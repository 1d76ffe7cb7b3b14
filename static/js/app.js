// Small progressive enhancements; every page works without this file.
"use strict";

// Forms with data-confirm ask before they submit (leave group, revoke link...).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Buttons with data-copy copy the value of the element they name.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.value).then(() => { button.textContent = "Copied"; });
  }
});
