// Credit account page: join the account's room and show each new payment as it happens.
"use strict";
(function () {
  const page = document.getElementById("credit-account");
  if (!page || !window.P6Live) return;
  const decimals = Number(page.dataset.decimals || "2");
  const symbol = page.dataset.symbol || "";
  const lang = document.documentElement.lang || "en";
  const digits = new Intl.NumberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const moments = new Intl.DateTimeFormat(lang, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZone: page.dataset.timeZone || undefined,
  });

  // As the money filter writes it (platform6/formatting.py), from its own layout of ±1 with the symbol "¤"
  // (data-money-positive, data-money-negative): -£1,234.50 in English, -1.234,50 £ in Italian.
  function money(amount) {
    const layout = amount < 0 ? page.dataset.moneyNegative : page.dataset.moneyPositive;
    const number = digits.format(Math.abs(amount) / Math.pow(10, decimals));
    return layout.replace("1", number).replace("¤", symbol).replace(/\u00a0{2,}/g, "\u00a0").trim();
  }

  function cell(text, label, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (label) td.dataset.label = label;
    if (className) td.className = className;
    return td;
  }

  P6Live.join({ credit_account_id: Number(page.dataset.accountId) }, {
    credit_entry: function (entry) {
      if (entry.account_id !== Number(page.dataset.accountId)) return;
      document.querySelector("[data-balance]").textContent = money(entry.balance);
      document.querySelector("[data-can-spend]").textContent = money(entry.can_spend);
      const body = document.querySelector("[data-history]");
      const labels = Array.from(body.closest("table").querySelectorAll("thead th"), (th) => th.textContent);
      const empty = body.querySelector("[data-empty]");
      if (empty) empty.remove();
      const row = document.createElement("tr");
      const date = cell("", labels[0]);
      const link = document.createElement("a");
      link.href = "/credit/transfers/" + entry.transfer_id;
      link.textContent = moments.format(new Date(entry.created_at));
      date.appendChild(link);
      row.appendChild(date);
      row.appendChild(cell(entry.counterparty, labels[1]));
      row.appendChild(cell(entry.description, labels[2]));
      row.appendChild(cell((entry.entry_amount > 0 ? "+" : "") + money(entry.entry_amount), labels[3],
        "num " + (entry.entry_amount > 0 ? "credit-in" : "credit-out")));
      row.appendChild(cell(money(entry.balance), labels[4], "num"));
      row.classList.add("credit-new");
      body.prepend(row);
      const status = document.querySelector("[data-live-status]");
      if (status) {
        const said = P6.t(entry.entry_amount > 0 ? "credit.received" : "credit.paid")
          .replace("{amount}", money(Math.abs(entry.entry_amount)));
        status.textContent = said + (entry.counterparty ? " — " + entry.counterparty : "");
      }
    },
  });
})();
