// Credit account page: join the account's room and show each new payment as it happens.
"use strict";
(function () {
  const page = document.getElementById("credit-account");
  if (!page || !window.P6Live) return;
  const decimals = Number(page.dataset.decimals || "2");
  const symbol = page.dataset.symbol || "";

  // As the money and minor_units filters write it (platform6/formatting.py): -£1,234.50 and -1,234.50.
  function money(amount, withSymbol) {
    const sign = amount < 0 ? "-" : "";
    const abs = Math.abs(amount);
    const scale = Math.pow(10, decimals);
    const whole = Math.floor(abs / scale).toLocaleString("en-GB");
    const fraction = decimals ? "." + String(abs % scale).padStart(decimals, "0") : "";
    return sign + (withSymbol ? symbol : "") + whole + fraction;
  }

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  P6Live.join({ credit_account_id: Number(page.dataset.accountId) }, {
    credit_entry: function (entry) {
      if (entry.account_id !== Number(page.dataset.accountId)) return;
      document.querySelector("[data-balance]").textContent = money(entry.balance, true);
      document.querySelector("[data-can-spend]").textContent = money(entry.can_spend, true);
      const body = document.querySelector("[data-history]");
      const empty = body.querySelector("[data-empty]");
      if (empty) empty.remove();
      const row = document.createElement("tr");
      const date = cell("");
      const link = document.createElement("a");
      link.href = "/credit/transfers/" + entry.transfer_id;
      link.textContent = entry.created_at.replace("T", " ").replace("Z", "");
      date.appendChild(link);
      row.appendChild(date);
      row.appendChild(cell(entry.counterparty));
      row.appendChild(cell(entry.description));
      row.appendChild(cell((entry.entry_amount > 0 ? "+" : "") + money(entry.entry_amount),
        "num " + (entry.entry_amount > 0 ? "credit-in" : "credit-out")));
      row.appendChild(cell(money(entry.balance), "num"));
      row.classList.add("credit-new");
      body.prepend(row);
      const status = document.querySelector("[data-live-status]");
      if (status) {
        status.textContent = (entry.entry_amount > 0 ? "Received " : "Paid ") +
          money(Math.abs(entry.entry_amount), true) + (entry.counterparty ? " — " + entry.counterparty : "");
      }
    },
  });
})();
