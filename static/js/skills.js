// Skills board forms: an "Add another skill" button that clones the last skill row with fresh field names.
(function () {
  "use strict";
  function renumber(row, index) {
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/skills-\d+-/, "skills-" + index + "-"));
      });
      el.removeAttribute("aria-describedby");
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".error, .hint").forEach(function (el) { el.remove(); });
    row.querySelectorAll("input[type=text]").forEach(function (el) { el.value = ""; });
  }
  document.querySelectorAll("[data-add-skill-row]").forEach(function (button) {
    var rows = button.parentElement.querySelector("[data-skill-rows]");
    if (!rows) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var all = rows.querySelectorAll(".skill-row");
      if (all.length >= 30) return;
      var copy = all[all.length - 1].cloneNode(true);
      renumber(copy, all.length);
      rows.appendChild(copy);
      var input = copy.querySelector("input[type=text]");
      if (input) input.focus();
    });
  });
})();
