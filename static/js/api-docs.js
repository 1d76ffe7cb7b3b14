// Browsable API docs: Swagger UI (vendored in static/vendor, left untouched) reading /api/v1/openapi.json.
// What Swagger UI draws is mended here for screen readers and keyboards, each time it draws it (it is React, so
// it redraws as operations open): deepLinking stays off because it puts a link inside each operation's
// button (nested interactive controls); the servers <select> gets a name; the tag and schema headings (h3
// and h4 under Swagger's h1) are announced as level 2 (an open operation's own headings as level 3); what lies outside Swagger's own <main> is a region.
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  var messages = JSON.parse(document.body.dataset.messages || "{}");
  var t = function (key) { return messages[key] || key; };

  function mend() {
    root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      var label = select.id === "servers" ? t("api_docs.servers") : select.closest("[data-param-name]") && select.closest("[data-param-name]").dataset.paramName;
      if (label) select.setAttribute("aria-label", label);
    });
    root.querySelectorAll("h3.opblock-tag:not([aria-level]), .models > h4:not([aria-level])").forEach(function (heading) {
      heading.setAttribute("aria-level", "2");
    });
    root.querySelectorAll(".opblock-body h4:not([aria-level]), .opblock-body h5:not([aria-level])").forEach(function (heading) {
      heading.setAttribute("aria-level", "3");
    });
    // Each open operation's responses table is a region: named after its operation, so that regions differ.
    root.querySelectorAll("table.responses-table[role=region]:not([aria-label])").forEach(function (table) {
      var operation = table.closest(".opblock");
      var summary = operation && operation.querySelector(".opblock-summary-method");
      var path = operation && operation.querySelector(".opblock-summary-path");
      table.setAttribute("aria-label", t("api_docs.responses").replace("{operation}", (summary ? summary.textContent : "") + " " + (path ? path.textContent : "")));
    });
    // Swagger UI draws its own <main> for the operations; the blocks beside it become named regions.
    [[".information-container", "api_docs.about"], [".schemes-server-container", "api_docs.servers"]].forEach(function (pair) {
      root.querySelectorAll(pair[0] + ":not([role])").forEach(function (block) {
        block.setAttribute("role", "region");
        block.setAttribute("aria-label", t(pair[1]));
      });
    });
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
