// messagingkit example: Web Push for the chat page (docs/push.md). Registers the service worker
// (sw.js), subscribes with the browser's Push API using the server's VAPID public key, and sends
// the subscription as PUSH_REGISTER, so the server wakes this browser while it is offline.
// app.js calls messagingkitPush.register(request) once connected.
(function () {
  "use strict";

  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  let sendRequest = null;
  let button = null;

  function base64UrlToBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function bytesToBase64Url(buffer) {
    const bytes = new Uint8Array(buffer);
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function subscribe() {
    const registration = await navigator.serviceWorker.register("sw.js");
    const response = await fetch("api/push/vapid-public-key");
    const {publicKey} = await response.json();
    let subscription = await registration.pushManager.getSubscription();
    const current = subscription && subscription.options.applicationServerKey;
    if (subscription && (!current || bytesToBase64Url(current) !== publicKey)) {
      await subscription.unsubscribe(); // made with another server key: useless now
      subscription = null;
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlToBytes(publicKey),
      });
    }
    const json = subscription.toJSON();
    sendRequest(
      {type: "PUSH_REGISTER", platform: "WEB_PUSH", token: json.endpoint,
       keys: {p256dh: json.keys.p256dh, auth: json.keys.auth}},
      (reply) => { if (reply.type === "ERROR") console.warn("push registration refused", reply); });
  }

  function offerButton() {
    if (button || Notification.permission === "denied") return;
    const header = document.querySelector("#chat-view aside header");
    if (!header) return;
    button = document.createElement("button");
    button.id = "enable-push";
    button.type = "button";
    button.textContent = "Notify me";
    button.title = "Wake this browser with a notification when messages arrive while it is closed";
    button.addEventListener("click", async () => {
      if (await Notification.requestPermission() === "granted") {
        button.remove();
        button = null;
        subscribe().catch((e) => console.warn("push subscription failed", e));
      }
    });
    header.appendChild(button);
  }

  window.messagingkitPush = {
    /** Called by app.js on each WELCOME with its request(frame, callback) function. */
    register(request) {
      sendRequest = request;
      if (!supported) return;
      if (Notification.permission === "granted") {
        subscribe().catch((e) => console.warn("push subscription failed", e));
      } else {
        offerButton(); // browsers ask for permission only from a click
      }
    },
  };
})();
