// Decisions: show the settings of the chosen kind on the "raise" form, and live results on a poll page.
"use strict";
(function () {
  // The raise form: fieldsets marked data-kinds="poll score ..." show only for those kinds.
  const form = document.querySelector("[data-poll-form]");
  if (form) {
    const kind = form.querySelector("select[name=kind]");
    const sync = () => {
      form.querySelectorAll("[data-kinds]").forEach((el) => {
        el.hidden = !el.dataset.kinds.split(" ").includes(kind.value);
      });
    };
    kind.addEventListener("change", sync);
    sync();
  }

  // The poll page: join the poll's room; redraw the bars on vote_cast, reload on poll_closed.
  const poll = document.querySelector("[data-poll-id]");
  if (!poll || !window.P6Live) return;
  const pollId = Number(poll.dataset.pollId);
  const box = document.querySelector("[data-results-box]");
  const labels = box ? JSON.parse(box.dataset.labels || "{}") : {};
  const SVG = "http://www.w3.org/2000/svg";

  function bar(fraction) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "poll-bar");
    svg.setAttribute("viewBox", "0 0 100 8");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    [["100", "poll-bar-track"], [String(Math.round(fraction * 1000) / 10), "poll-bar-fill"]].forEach(([w, cls]) => {
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("width", w);
      rect.setAttribute("height", "8");
      rect.setAttribute("class", cls);
      svg.appendChild(rect);
    });
    return svg;
  }

  function redraw(results) {
    const list = box && box.querySelector("[data-results]");
    if (!list) return;
    const top = Math.max(0, ...results.options.map((row) => row.value));
    list.replaceChildren(...results.options.map((row) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.className = "poll-option";
      name.textContent = labels[row.name] || row.name;
      const num = document.createElement("span");
      num.className = "num";
      num.textContent = row.value + " · " + row.voters + (row.voters === 1 ? " voter" : " voters");
      li.append(name, bar(top ? row.value / top : 0), num);
      return li;
    }));
  }

  window.P6Live.join({ poll_id: pollId }, {
    vote_cast: (payload) => {
      if (payload.poll_id !== pollId) return;
      document.querySelectorAll("[data-voters-count]").forEach((el) => { el.textContent = String(payload.voters_count); });
      if (payload.results) redraw(payload.results);
    },
    poll_closed: (payload) => {
      if (payload.poll && payload.poll.id === pollId) window.location.reload();
    },
  });
})();
