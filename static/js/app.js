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
    navigator.clipboard.writeText(source.value).then(() => { button.textContent = "Copied"; });
  }
});
