// messagingkit example: the service worker that shows a push. The payload carries no message
// content by default: {"type":"messages","pending":N} (plus "preview" when the server opted in).
// The page itself fetches the messages when it is opened (docs/push.md).
"use strict";

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  const pending = Number(data.pending) || 0;
  const body = data.preview || (pending > 1 ? pending + " new messages" : "New messages");
  event.waitUntil(
    self.registration.showNotification("messagingkit chat", {body, tag: "messages", renotify: true}));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({type: "window", includeUncontrolled: true}).then((windows) => {
      for (const w of windows) {
        if ("focus" in w) return w.focus();
      }
      return self.clients.openWindow("./");
    }));
});
