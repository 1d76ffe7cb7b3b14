// Live updates: one Socket.IO connection per page (session cookie auth), shared by the page scripts.
// A page script calls P6Live.join({discussion_id: 12}, handlers) with {eventName: fn(payload)}.
"use strict";
window.P6Live = (function () {
  if (typeof io === "undefined" || !document.body.dataset.userId) {
    return { join: function () {}, on: function () {} };
  }
  const socket = io({ transports: ["websocket", "polling"] });
  const rooms = [];
  socket.on("connect", () => rooms.forEach((room) => socket.emit("join", room)));
  socket.on("notification", () => {
    const badge = document.querySelector("[data-unread-count]");
    if (badge) {
      badge.textContent = String(Number(badge.textContent || "0") + 1);
      badge.classList.remove("badge-muted");
    }
  });
  return {
    join: function (room, handlers) {
      rooms.push(room);
      if (socket.connected) socket.emit("join", room);
      Object.entries(handlers || {}).forEach(([name, fn]) => socket.on(name, fn));
    },
    on: function (name, fn) { socket.on(name, fn); },
  };
})();
