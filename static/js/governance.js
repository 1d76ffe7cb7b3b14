// Decisions: show the settings of the chosen kind on the "raise" form, rank options by dragging or with
// Move up / Move down, and live results on a poll page.
"use strict";
(function () {
  // Words from the server (platform6/i18n.py JS_MESSAGES), with {name} placeholders filled in.
  const say = (key, values) => Object.entries(values || {}).reduce(
    (text, [name, value]) => text.split("{" + name + "}").join(String(value)), P6.t("governance." + key));
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const count = (key, num, values) => {
    const form = plurals.select(Math.ceil(Number(num))) === "one" ? "one" : "other";
    return say(key + "_" + form, Object.assign({ num: num }, values || {}));
  };

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

  // Ranked choice: the rank selects (the form without JavaScript) become one list in order of preference.
  // The voter ticks the options they rank and orders them by dragging the grip or with Move up / Move down;
  // the selects stay the form's inputs, kept in step with the list, so the server reads the same form.
  document.querySelectorAll("[data-ranking]").forEach((fieldset) => {
    const places = Number(fieldset.dataset.places);
    const selects = fieldset.querySelector("[data-rank-selects]");
    const items = [...selects.querySelectorAll("[data-option]")].map((row) => ({
      name: row.dataset.option, label: row.dataset.label, select: row.querySelector("select"),
    }));
    const ranked = items.filter((item) => item.select.value)
      .sort((a, b) => Number(a.select.value) - Number(b.select.value));
    const included = new Set((ranked.length ? ranked : items).slice(0, places).map((item) => item.name));
    const order = [...ranked, ...items.filter((item) => !item.select.value)];

    const help = document.createElement("p");
    help.className = "hint";
    help.id = "rank-help-" + Math.random().toString(36).slice(2);
    help.textContent = say("rank_help");
    const list = document.createElement("ol");
    list.className = "rank-list";
    list.setAttribute("aria-describedby", help.id);
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    function button(cls, text, label) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = "button-secondary rank-move " + cls;
      el.textContent = text;
      el.setAttribute("aria-label", label);
      return el;
    }

    const rows = new Map();
    order.forEach((item) => {
      const li = document.createElement("li");
      li.className = "rank-item";
      li.dataset.option = item.name;
      const grip = document.createElement("span");
      grip.className = "rank-grip";
      grip.setAttribute("aria-hidden", "true");
      grip.title = say("drag");
      grip.textContent = "⠿";
      const place = document.createElement("span");
      place.className = "rank-place";
      const label = document.createElement("label");
      label.className = "check rank-name";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = included.has(item.name);
      const text = document.createElement("span");
      text.textContent = item.label;
      label.append(box, " ", text);
      const up = button("rank-up", "↑ " + say("move_up"), say("move_up_label", { name: item.label }));
      const down = button("rank-down", "↓ " + say("move_down"), say("move_down_label", { name: item.label }));
      const moves = document.createElement("span");
      moves.className = "rank-moves";
      moves.append(up, down);
      li.append(grip, place, label, moves);
      list.append(li);
      rows.set(item.name, { li, box, place, item });
      box.addEventListener("change", () => { update(); announce(item); });
      up.addEventListener("click", () => move(li, -1, up));
      down.addEventListener("click", () => move(li, 1, down));
      grip.addEventListener("pointerdown", (event) => startDrag(event, li, item));
    });

    // The list's order and ticks, written into the selects; the places shown; a full list locks the rest.
    function update() {
      let rank = 0;
      const ticked = [...list.children].filter((li) => rows.get(li.dataset.option).box.checked).length;
      [...list.children].forEach((li, index) => {
        const row = rows.get(li.dataset.option);
        row.item.select.value = row.box.checked ? String(++rank) : "";
        row.place.textContent = row.box.checked ? String(rank) : "–";
        row.place.title = row.box.checked ? "" : say("not_ranked");
        li.classList.toggle("rank-out", !row.box.checked);
        row.box.disabled = !row.box.checked && ticked >= places;
        li.querySelector(".rank-up").disabled = index === 0;
        li.querySelector(".rank-down").disabled = index === list.children.length - 1;
      });
      status.dataset.full = ticked >= places ? "true" : "false";
    }

    function announce(item) {
      const rank = rows.get(item.name).item.select.value;
      status.textContent = rank ? say("moved", { name: item.label, place: rank }) : say("left_out", { name: item.label });
    }

    function move(li, step, focus) {
      const sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling) return;
      if (step < 0) list.insertBefore(li, sibling); else list.insertBefore(sibling, li);
      update();
      announce(rows.get(li.dataset.option).item);
      (focus.disabled ? li.querySelector(step < 0 ? ".rank-down" : ".rank-up") : focus).focus();
    }

    // Dragging by the grip, with a mouse, a pen or a finger (pointer events; the grip takes no scrolling).
    function startDrag(event, li, item) {
      event.preventDefault();
      const grip = event.currentTarget;
      grip.setPointerCapture(event.pointerId);
      li.classList.add("rank-dragging");
      const onMove = (moved) => {
        const under = document.elementFromPoint(moved.clientX, moved.clientY);
        const target = under && under.closest(".rank-item");
        if (!target || target === li || target.parentNode !== list) return;
        const items = [...list.children];
        list.insertBefore(li, items.indexOf(target) > items.indexOf(li) ? target.nextSibling : target);
        update();
      };
      const onUp = () => {
        grip.removeEventListener("pointermove", onMove);
        grip.removeEventListener("pointerup", onUp);
        grip.removeEventListener("pointercancel", onUp);
        li.classList.remove("rank-dragging");
        update();
        announce(item);
      };
      grip.addEventListener("pointermove", onMove);
      grip.addEventListener("pointerup", onUp);
      grip.addEventListener("pointercancel", onUp);
    }

    selects.hidden = true;
    selects.after(help, list, status);
    update();
  });

  // The poll page: join the poll's room; redraw the bars on vote_cast, reload on poll_closed.
  const poll = document.querySelector("[data-poll-id]");
  if (!poll || !window.P6Live) return;
  const pollId = Number(poll.dataset.pollId);
  const box = document.querySelector("[data-results-box]");

  function countText(kind, method, row) {
    if (kind === "dot_vote") return count("dots", row.value);
    if (kind === "score") return say("score_total", { total: row.value, average: row.average });
    if (kind === "meeting") return say("meeting_answers", { yes: row.yes, maybe: row.if_need_be });
    if (method === "borda") return count("points", row.value);
    if (method) return count("last_round", row.value);
    return count("votes", row.value);
  }

  function detailText(kind, method, row) {
    if (method) return count("firsts", row.first);
    if (kind === "dot_vote" || kind === "score") return count("from_voters", row.voters);
    return "";
  }

  // Rows stay in the poll's order: each keeps its place and only its numbers, bar and standing change.
  function redraw(results) {
    const list = box && box.querySelector("[data-results]");
    if (!list) return;
    const kind = list.dataset.kind;
    const method = list.dataset.method;
    const top = Math.max(0, ...results.options.map((row) => row.value));
    const leading = new Set(results.elected || (results.winner ? [results.winner] : []));
    results.options.forEach((row) => {
      const li = [...list.children].find((el) => el.dataset.option === row.name);
      if (!li) return;
      const fill = li.querySelector(".poll-bar-fill");
      fill.setAttribute("width", String(top > 0 && row.value > 0 ? Math.round(row.value / top * 1000) / 10 : 0));
      li.querySelector("[data-count]").textContent = countText(kind, method, row);
      const detail = li.querySelector("[data-detail]");
      if (detail) detail.textContent = "· " + detailText(kind, method, row);
      const standing = li.querySelector("[data-standing]");
      standing.replaceChildren();
      if (kind !== "proposal" && leading.has(row.name)) {
        const tag = document.createElement("span");
        tag.className = "tag tag-leading";
        tag.textContent = say("leading");
        standing.append(" ", tag);
      }
    });
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
