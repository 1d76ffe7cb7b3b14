// Threads: reply in place, @mention autocomplete, live comments and live new threads.
// Every page works without this file (reply links, forms and reloads do the same).
"use strict";
(function () {
  const live = window.P6Live || { join: function () {} };
  const ACTION_FORM = "comment-action"; // as comment_html.ACTION_FORM

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // An aria-live region that announces arrivals to screen readers.
  let announcer = null;
  function announce(message) {
    if (!announcer) {
      announcer = el("div", { "aria-live": "polite", class: "visually-hidden" });
      document.body.appendChild(announcer);
    }
    announcer.textContent = message;
  }

  // --- replying ---------------------------------------------------------------------------------
  const commentForm = document.querySelector(".comment-form");
  function setReply(commentId, name) {
    if (!commentForm) return;
    commentForm.querySelector("input[name=parent_id]").value = commentId || "";
    const note = commentForm.querySelector("[data-replying-to]");
    note.hidden = !commentId;
    note.querySelector("[data-reply-name]").textContent = name || "";
  }
  document.addEventListener("click", (event) => {
    const reply = event.target.closest("[data-reply-to]");
    if (reply && commentForm) {
      event.preventDefault();
      setReply(reply.dataset.replyTo, reply.dataset.replyName);
      commentForm.scrollIntoView({ block: "center" });
      commentForm.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("[data-cancel-reply]") && commentForm) {
      event.preventDefault();
      setReply(null, "");
    }
  });

  // --- the reaction picker ----------------------------------------------------------------------
  // The page holds one set of reaction buttons (#react-choices); "React" shows it under its comment and
  // points its buttons at that comment. Without this, "React" leads to a page with the same buttons.
  const choices = document.getElementById("react-choices");
  let pickerLink = null;
  function closePicker() {
    if (!pickerLink) return;
    choices.hidden = true;
    pickerLink.setAttribute("aria-expanded", "false");
    pickerLink = null;
  }
  function parkPicker(leaving) {
    // before a comment's controls leave the page, take the picker out of them
    if (choices && leaving.contains(choices)) {
      closePicker();
      document.body.appendChild(choices);
    }
  }
  if (choices) {
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-react]");
      if (!link) return;
      event.preventDefault();
      const again = link === pickerLink;
      closePicker();
      if (again) return;
      link.after(choices);
      choices.querySelectorAll("button").forEach((button) => { button.formAction = link.href; });
      choices.hidden = false;
      link.setAttribute("aria-expanded", "true");
      link.setAttribute("aria-controls", choices.id);
      pickerLink = link;
      choices.querySelector("button").focus();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !pickerLink) return;
      const link = pickerLink;
      closePicker();
      link.focus();
    });
  }

  // --- @mention autocomplete --------------------------------------------------------------------
  let listCounter = 0;
  document.querySelectorAll("form[data-mention-source] textarea").forEach((textarea) => {
    const source = textarea.form.dataset.mentionSource;
    if (!source) return;
    const listId = "mention-list-" + ++listCounter;
    const list = el("ul", { id: listId, role: "listbox", class: "mention-list", "aria-label": P6.t("forums.members_to_mention") });
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    // A textarea is not a combobox (axe: aria-expanded is not allowed on it): the list is announced instead.
    let items = [];
    let active = -1;
    let pending = 0;

    function currentWord() {
      const upto = textarea.value.slice(0, textarea.selectionStart);
      const match = /(^|[^\w@/])@([a-z0-9_-]{0,29})$/i.exec(upto);
      return match ? { query: match[2], start: upto.length - match[2].length } : null;
    }
    function close() {
      list.hidden = true;
      items = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) textarea.setAttribute("aria-activedescendant", listId + "-" + index);
    }
    function choose(index) {
      const word = currentWord();
      if (!word || !items[index]) return close();
      const before = textarea.value.slice(0, word.start);
      const after = textarea.value.slice(textarea.selectionStart);
      const insert = items[index].handle + " ";
      textarea.value = before + insert + after;
      const caret = before.length + insert.length;
      textarea.setSelectionRange(caret, caret);
      close();
    }
    function show(found) {
      items = found;
      list.replaceChildren();
      found.forEach((person, i) => {
        const li = el("li", { id: listId + "-" + i, role: "option", "aria-selected": "false" });
        li.append(el("strong", {}, "@" + person.handle), " " + person.name);
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      if (found.length) announce(found.length + " " + (found.length === 1 ? P6.t("forums.member_found") : P6.t("forums.members_found")));
      highlight(found.length ? 0 : -1);
    }
    textarea.addEventListener("input", () => {
      const word = currentWord();
      if (!word) return close();
      const ticket = ++pending;
      fetch(source + "?q=" + encodeURIComponent(word.query), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { items: [] }))
        .then((data) => { if (ticket === pending) show(data.items || []); })
        .catch(close);
    });
    textarea.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    textarea.addEventListener("blur", () => setTimeout(close, 150));
  });

  // --- live comments on a thread page ------------------------------------------------------------
  const thread = document.querySelector(".thread[data-discussion-id]");
  if (thread) {
    const me = Number(thread.dataset.userId || 0);
    const isMember = thread.dataset.isMember === "1";
    const isAdmin = thread.dataset.isAdmin === "1";
    const open = Boolean(commentForm);

    // A reaction button as comment_html.py writes it: members' buttons submit the page's one form.
    function reactionButton(commentId, emoji, count, pressed) {
      const attrs = { class: "reaction" + (pressed ? " reaction-mine" : ""), "aria-pressed": String(pressed) };
      if (isMember) {
        Object.assign(attrs, { type: "submit", form: ACTION_FORM, formaction: "/comments/" + commentId + "/react", name: pressed ? "unreact" : "emoji", value: emoji });
      } else {
        Object.assign(attrs, { type: "button", disabled: "" });
      }
      const button = el("button", attrs, emoji + " ");
      button.appendChild(el("span", {}, String(count)));
      return button;
    }

    function reactionsGroup(comment) {
      const group = el("div", { class: "reactions", role: "group", "aria-label": P6.t("forums.reactions") });
      Object.entries(comment.reactions || {}).forEach(([emoji, count]) => {
        group.appendChild(reactionButton(comment.id, emoji, count, false));
      });
      if (isMember) group.append(" ", el("a", { class: "react-link", href: "/comments/" + comment.id + "/react", "data-react": "" }, P6.t("forums.react")));
      return group;
    }

    function renderComment(comment) {
      const article = el("article", { class: "comment comment-live", id: "comment-" + comment.id, "data-comment-id": comment.id, "data-position": comment.position });
      const head = el("header", { class: "comment-head" });
      head.appendChild(el("strong", {}, comment.author ? comment.author.name : P6.t("forums.someone_who_left")));
      head.append(" ");
      head.appendChild(el("a", { class: "small muted", href: "#comment-" + comment.id }, P6.t("forums.just_now")));
      article.appendChild(head);
      const body = el("div", { class: "prose comment-body", "data-body": "" });
      body.innerHTML = comment.body_html; // sanitised by the server when written (nh3 allow-list)
      article.appendChild(body);
      const actions = el("footer", { class: "comment-actions small" });
      actions.appendChild(reactionsGroup(comment));
      if (isMember && open) {
        const reply = el("a", { href: "?reply_to=" + comment.id + "#comment-form", class: "reply-link", "data-reply-to": comment.id, "data-reply-name": comment.author ? comment.author.name : "" }, P6.t("forums.reply"));
        actions.append(" ", reply);
      }
      if (comment.author && comment.author.id === me) actions.append(" ", el("a", { href: "/comments/" + comment.id + "/edit" }, P6.t("forums.edit")));
      if (isMember && comment.author && (comment.author.id === me || isAdmin)) {
        actions.append(" ", el("button", { type: "submit", form: ACTION_FORM, formaction: "/comments/" + comment.id + "/delete", class: "button-link", "data-confirm": P6.t("forums.delete_confirm") }, P6.t("forums.delete")));
      }
      article.appendChild(actions);
      article.appendChild(el("div", { class: "replies", "data-replies-of": comment.id }));
      return article;
    }

    function updateComment(comment) {
      const article = document.getElementById("comment-" + comment.id);
      if (!article) return;
      if (comment.deleted) {
        article.classList.add("comment-deleted");
        const body = article.querySelector(":scope > [data-body]");
        if (body) body.replaceWith(el("p", { class: "muted small" }, P6.t("forums.deleted")));
        const actions = article.querySelector(":scope > .comment-actions");
        if (actions) {
          parkPicker(actions);
          actions.remove();
        }
        return;
      }
      const body = article.querySelector(":scope > [data-body]");
      if (body && body.innerHTML !== comment.body_html) {
        body.innerHTML = comment.body_html; // sanitised on write
        const head = article.querySelector(":scope > .comment-head");
        if (comment.edited_at && head && !head.querySelector(".edited")) {
          head.append(" ", el("a", { class: "small muted edited", href: "/comments/" + comment.id + "/history" }, "(edited)"));
        }
      }
      const group = article.querySelector(":scope > .comment-actions > .reactions");
      if (group) {
        const counts = comment.reactions || {};
        group.querySelectorAll(":scope > button.reaction").forEach((button) => {
          const count = counts[button.value];
          if (!count) button.remove();
          else button.querySelector("span").textContent = String(count);
        });
        const shown = new Set(Array.from(group.querySelectorAll(":scope > button.reaction")).map((b) => b.value));
        const link = group.querySelector(":scope > a[data-react]");
        Object.entries(counts).forEach(([emoji, count]) => {
          if (!shown.has(emoji)) group.insertBefore(reactionButton(comment.id, emoji, count, false), link);
        });
      }
    }

    live.join({ discussion_id: Number(thread.dataset.discussionId) }, {
      comment_created: (data) => {
        const comment = data.comment;
        if (!comment || comment.discussion_id !== Number(thread.dataset.discussionId)) return;
        if (document.getElementById("comment-" + comment.id)) return;
        const container = (comment.parent_id && document.querySelector('[data-replies-of="' + comment.parent_id + '"]')) ||
          thread.querySelector("[data-comments]");
        const empty = thread.querySelector("[data-comments] > [data-empty]");
        if (empty) empty.remove();
        container.appendChild(renderComment(comment));
        const count = document.querySelector("[data-comments-count]");
        if (count) {
          const n = thread.querySelectorAll(".comment:not(.comment-deleted)").length;
          count.textContent = n + (n === 1 ? " comment" : " comments");
        }
        announce(comment.author ? P6.t("forums.new_comment_from").replace("{name}", comment.author.name) : P6.t("forums.new_comment"));
      },
      comment_updated: (data) => { if (data.comment) updateComment(data.comment); },
    });
  }

  // --- live new threads on a group page ----------------------------------------------------------
  const groupThreads = document.querySelector("[data-group-threads][data-group-id]");
  if (groupThreads) {
    live.join({ group_id: Number(groupThreads.dataset.groupId) }, {
      discussion_created: (data) => {
        const d = data.discussion;
        if (!d || document.querySelector('[data-thread-row="' + d.id + '"]')) return;
        const list = groupThreads.querySelector("[data-thread-list]");
        const empty = list.querySelector("[data-empty]");
        if (empty) empty.remove();
        const row = el("li", { class: "thread-row thread-unread", "data-thread-row": d.id });
        const link = el("a", { href: "/d/" + d.id });
        link.appendChild(el("strong", {}, d.title));
        row.append(link, " ", el("span", { class: "tag tag-new" }, "new"), " ",
          el("span", { class: "small muted" }, "started by " + (d.author ? d.author.name : "someone") + " just now"));
        const firstUnpinned = Array.from(list.children).find((li) => !li.querySelector(".tag-pinned"));
        list.insertBefore(row, firstUnpinned || null);
        announce(P6.t("forums.new_thread").replace("{title}", d.title));
      },
    });
  }
})();
