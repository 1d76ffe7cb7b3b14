// Live updates: one Socket.IO connection per page (session cookie auth), shared by the page scripts.
// A page script calls P6Live.join({discussion_id: 12}, handlers) with {eventName: fn(payload)}.
"use strict";
window.P6Live = (function () {
  if (typeof io === "undefined" || !document.body.dataset.userId) {
    return { join: function () {}, on: function () {} };
  }
  const socket = io({ transports: ["websocket", "polling"] });
  const rooms = [];
  // <body data-live="joined"> once the server has let this page into a room: from then on nothing is missed
  // (the browser tests wait for it before another person acts)
  function enter(room) {
    socket.emit("join", room, (reply) => {
      if (reply && reply.ok) document.body.dataset.live = "joined";
    });
  }
  socket.on("connect", () => rooms.forEach(enter));
  socket.on("disconnect", () => { delete document.body.dataset.live; });
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
      if (socket.connected) enter(room);
      Object.entries(handlers || {}).forEach(([name, fn]) => socket.on(name, fn));
    },
    on: function (name, fn) { socket.on(name, fn); },
  };
})();
