// messagingkit example chat page: plain JavaScript speaking wire protocol v1 (docs/protocol.md).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  token: null, me: null, device: null, ws: null, connected: false,
  contacts: new Map(),      // user -> {online, lastSeen}
  groups: new Map(),        // group id -> {name}
  conversations: new Map(), // "u:bob" | "g:team" -> {messages: Map(id -> msg), loaded}
  current: null,            // conversation key
  pending: new Map(),       // message id -> SEND frame not yet SENT_ACKed
  seen: new Set(),          // "from/id" of received messages and receipts (dedupe)
  readSent: new Set(),      // "from/id" we sent READ for
  unread: new Map(),        // conversation key -> count
  requests: new Map(),      // rid -> callback
  rid: 0, attempt: 0, heartbeat: null, typingTimer: null, typingSentAt: 0, contactsTimer: null,
};

// One device per browser profile: the id lives in localStorage, so every tab and every reload of
// this profile is the same device, with one queue that is always read. One tab holds the
// connection at a time: the one that signed in or pressed "Use here" last (as WhatsApp Web does).
// The server closes the older tab's connection with 4002 (replaced); that tab stops and offers
// "Use here" instead of reconnecting, so two tabs never fight over the device.
function deviceId() {
  let d = localStorage.getItem("mk-device");
  if (!d || !/^web-[0-9a-f]{16}$/.test(d)) {
    const random = crypto.getRandomValues(new Uint8Array(8));
    d = "web-" + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem("mk-device", d);
  }
  return d;
}

// ---------------------------------------------------------------- sign-in

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("signin-error").textContent = "";
  const res = await fetch("api/login", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({name: $("name").value.trim(), password: $("password").value, device: deviceId()}),
  });
  const body = await res.json();
  if (!res.ok) {
    $("signin-error").textContent = body.error || ("sign-in failed (" + res.status + ")");
    return;
  }
  state.token = body.token;
  state.me = body.user;
  state.device = body.device;
  $("me").textContent = state.me;
  $("signin-view").hidden = true;
  $("chat-view").hidden = false;
  await loadContacts();
  state.contactsTimer = setInterval(loadContacts, 3000);
  connect();
});

async function loadContacts() {
  const res = await fetch("api/users", {headers: {Authorization: "Bearer " + state.token}});
  if (!res.ok) return;
  const body = await res.json();
  const fresh = [];
  for (const u of body.users) {
    if (!state.contacts.has(u)) {
      state.contacts.set(u, {online: false, lastSeen: null});
      fresh.push(u);
    }
  }
  if (fresh.length && state.connected) subscribePresence(fresh);
  if (fresh.length) renderContacts();
}

// ---------------------------------------------------------------- connection

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url, ["messagingkit.v1", "bearer." + state.token]);
  state.ws = ws;
  ws.onmessage = (e) => onFrame(JSON.parse(e.data));
  ws.onclose = (e) => {
    if (state.ws !== ws) return;
    state.connected = false;
    clearInterval(state.heartbeat);
    if (e.code === 4002) return offerUseHere(); // this device connected from another tab
    setConnection(false, "offline (" + e.code + ")");
    if (e.code === 4001) return; // unauthorized: do not retry
    if (e.code === 4005) return setConnection(false, "session expired: sign in again");
    // Exponential backoff with full jitter, capped at 30 s.
    const ceiling = Math.min(30000, 500 * Math.pow(2, state.attempt++));
    setTimeout(connect, Math.random() * ceiling);
  };
}

// Another tab of this profile took the connection: say so, and let the user take it back.
function offerUseHere() {
  setConnection(false, "open in another tab");
  if ($("use-here")) return;
  const button = document.createElement("button");
  button.id = "use-here";
  button.type = "button";
  button.textContent = "Use here";
  button.title = "Chat in this tab (the other tab stops)";
  button.addEventListener("click", () => {
    button.remove();
    state.attempt = 0;
    setConnection(false, "connecting\u2026");
    connect();
  });
  $("connection").after(button);
}

function send(frame) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) {
    state.ws.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function request(frame, callback, onError) {
  frame.rid = "r" + (++state.rid);
  state.requests.set(frame.rid, {callback, onError});
  send(frame);
}

function setConnection(online, text) {
  $("connection").textContent = text;
  $("connection").classList.toggle("online", online);
  $("message-input").disabled = !state.current;
  $("send").disabled = !state.current;
}

function subscribePresence(users) {
  if (users.length) send({type: "PRESENCE_SUBSCRIBE", rid: "p" + (++state.rid), users: users.slice(0, 256)});
}

// ---------------------------------------------------------------- frames

function onFrame(f) {
  switch (f.type) {
    case "WELCOME":
      state.connected = true;
      state.attempt = 0;
      setConnection(true, "online");
      clearInterval(state.heartbeat);
      state.heartbeat = setInterval(() => send({type: "HEARTBEAT"}), f.heartbeatMs);
      subscribePresence([...state.contacts.keys()]);
      loadGroups();
      if (window.messagingkitPush) window.messagingkitPush.register(request); // web/push.js
      for (const frame of state.pending.values()) send(frame); // resend with the same id
      break;
    case "SENT_ACK":
      state.pending.delete(f.id);
      setStatus(f.id, "sent");
      break;
    case "MESSAGE": {
      const key = f.group ? "g:" + f.group : "u:" + f.from;
      const seenKey = f.from + "/" + f.id;
      if (!state.seen.has(seenKey)) {
        state.seen.add(seenKey);
        if (!state.contacts.has(f.from) && f.from !== state.me) {
          state.contacts.set(f.from, {online: true, lastSeen: null});
          renderContacts();
        }
        addMessage(key, entryOf(f, false));
        if (key === state.current && document.visibilityState === "visible") {
          markRead(f.from, f.id);
        } else {
          state.unread.set(key, (state.unread.get(key) || 0) + 1);
          renderContacts();
          renderGroups();
        }
      }
      send({type: "ACK", from: f.from, id: f.id});
      break;
    }
    case "DELIVERED_ACK":
    case "READ_ACK":
      if (!state.seen.has("r:" + f.by + "/" + f.receipt)) {
        state.seen.add("r:" + f.by + "/" + f.receipt);
        setStatus(f.id, f.type === "READ_ACK" ? "read" : "delivered");
      }
      send({type: "ACK", from: f.by, id: f.receipt});
      break;
    case "PRESENCE":
      if (f.user !== state.me) {
        state.contacts.set(f.user, {online: f.online, lastSeen: f.lastSeen});
        renderContacts();
        renderHeader();
      }
      break;
    case "TYPING":
      onTyping(f);
      break;
    case "GROUP_EVENT":
      loadGroups();
      if (state.current === "g:" + f.group) loadMembers(f.group);
      break;
    case "RESULT":
    case "HISTORY_PAGE": {
      const r = state.requests.get(f.rid);
      state.requests.delete(f.rid);
      if (r) r.callback(f);
      break;
    }
    case "ERROR":
      if (f.ref && state.pending.has(f.ref) && !f.retryable) {
        state.pending.delete(f.ref);
        setStatus(f.ref, "failed");
      }
      const failed = state.requests.get(f.ref);
      state.requests.delete(f.ref);
      if (failed && failed.onError) failed.onError(f);
      $("conversation-status").textContent = "error: " + f.code + " - " + f.message;
      break;
  }
}

// ---------------------------------------------------------------- conversations

function conversation(key) {
  if (!state.conversations.has(key)) state.conversations.set(key, {messages: new Map(), loaded: false});
  return state.conversations.get(key);
}

function addMessage(key, m) {
  const c = conversation(key);
  if (c.messages.has(m.id + "/" + m.from)) return;
  c.messages.set(m.id + "/" + m.from, m);
  if (key === state.current) renderMessages();
}

// A conversation entry from a MESSAGE frame or a history item; MEDIA bodies carry key and digest.
function entryOf(f, mine) {
  const entry = {id: f.id, from: f.from, ts: f.serverTs, mine};
  if (f.kind === "MEDIA" && f.media && f.body) {
    try {
      entry.media = Object.assign(MediaCrypto.readBody(f.body), {objectKey: f.media.key});
      entry.text = entry.media.name || entry.media.contentType;
    } catch (e) {
      entry.text = "[unreadable media]";
    }
  } else {
    entry.text = f.text ?? "[" + f.kind + "]";
  }
  return entry;
}

function setStatus(id, status) {
  const order = {pending: 0, sent: 1, delivered: 2, read: 3, failed: 4};
  for (const c of state.conversations.values()) {
    const m = c.messages.get(id + "/" + state.me);
    if (m && (order[status] > order[m.status] || status === "failed")) {
      m.status = status;
      const el = document.querySelector('.msg.mine[data-id="' + CSS.escape(id) + '"]');
      if (el) {
        el.dataset.status = status;
        el.querySelector(".ticks").textContent = ticks(status);
      }
    }
  }
}

function ticks(status) {
  return {pending: "\u{1F552}", sent: "\u2713", delivered: "\u2713\u2713", read: "\u2713\u2713", failed: "!"}[status] || "";
}

// READ for the newest incoming messages shown that this page has not marked read yet, at most
// READ_BATCH at once (each READ is a frame, and frames are rate-limited: 20/s, burst 40). Messages
// loaded from history count: they may never have been read on any device.
const READ_BATCH = 20;
function markShownRead(c) {
  const unread = [...c.messages.values()]
    .filter((m) => !m.mine && !state.readSent.has(m.from + "/" + m.id))
    .sort((a, b) => b.ts - a.ts)
    .slice(0, READ_BATCH);
  for (const m of unread) markRead(m.from, m.id);
}

function markRead(from, id) {
  const k = from + "/" + id;
  if (state.readSent.has(k)) return;
  state.readSent.add(k);
  send({type: "READ", from, id});
}

function open(key) {
  state.current = key;
  state.unread.delete(key);
  $("message-input").disabled = false;
  $("send").disabled = false;
  $("typing").textContent = "";
  const c = conversation(key);
  const [kind, name] = [key.slice(0, 1), key.slice(2)];
  $("group-panel").hidden = kind !== "g";
  if (kind === "g") loadMembers(name);
  renderHeader();
  renderContacts();
  renderGroups();
  renderMessages();
  // Everything unread in this conversation is now read.
  markShownRead(c);
  if (!c.loaded && state.connected) {
    c.loaded = true;
    const frame = kind === "g" ? {type: "HISTORY", group: name, limit: 50} : {type: "HISTORY", with: name, limit: 50};
    request(frame, (page) => {
      for (const m of page.messages) {
        const mine = m.from === state.me;
        const entry = Object.assign(entryOf(m, mine), {history: true, status: mine ? "sent" : undefined});
        const existing = c.messages.get(m.id + "/" + m.from);
        if (!existing) c.messages.set(m.id + "/" + m.from, entry);
      }
      if (state.current === key) {
        renderMessages();
        if (document.visibilityState === "visible") markShownRead(c);
      }
    });
  }
  $("message-input").focus();
}

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("message-input").value;
  if (!text.trim() || !state.current) return;
  $("message-input").value = "";
  const id = "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
  const [kind, name] = [state.current.slice(0, 1), state.current.slice(2)];
  const frame = {type: "SEND", id, kind: "TEXT", text, ts: Date.now()};
  if (kind === "g") frame.group = name; else frame.to = name;
  state.pending.set(id, frame);
  addMessage(state.current, {id, from: state.me, text, ts: Date.now(), mine: true, status: "pending"});
  send(frame);
  sendTyping(false);
});

$("message-input").addEventListener("input", () => {
  if (Date.now() - state.typingSentAt > 2000) sendTyping(true);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => sendTyping(false), 3000);
});

function sendTyping(typing) {
  if (!state.current) return;
  state.typingSentAt = typing ? Date.now() : 0;
  const [kind, name] = [state.current.slice(0, 1), state.current.slice(2)];
  send(kind === "g" ? {type: "TYPING", group: name, typing} : {type: "TYPING", to: name, typing});
}

let typingClear = null;
function onTyping(f) {
  const key = f.group ? "g:" + f.group : "u:" + f.from;
  if (key !== state.current) return;
  $("typing").textContent = f.typing ? f.from + " is typing\u2026" : "";
  clearTimeout(typingClear);
  if (f.typing) typingClear = setTimeout(() => ($("typing").textContent = ""), 5000);
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.current) open(state.current);
});

// ---------------------------------------------------------------- groups

function loadGroups() {
  request({type: "GROUP_LIST"}, (r) => {
    state.groups = new Map(r.groups.map((g) => [g.id, g]));
    renderGroups();
    renderHeader();
  });
}

function loadMembers(group) {
  request({type: "GROUP_MEMBERS", group}, (r) => {
    const ul = $("group-members");
    ul.replaceChildren();
    const amAdmin = r.members.some((m) => m.user === state.me && m.admin);
    $("group-add-member").hidden = !amAdmin;
    $("group-add").hidden = !amAdmin;
    for (const m of r.members) {
      const li = document.createElement("li");
      li.dataset.user = m.user;
      li.textContent = m.user + (m.admin ? " (admin)" : "");
      if (amAdmin && m.user !== state.me) {
        const x = document.createElement("button");
        x.type = "button";
        x.title = "remove";
        x.textContent = "\u00d7";
        x.onclick = () => request({type: "GROUP_REMOVE", group, member: m.user}, () => loadMembers(group));
        li.append(x);
      }
      ul.append(li);
    }
  });
}

$("new-group-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("new-group-name").value.trim();
  if (!name) return;
  const members = $("new-group-members").value.split(",").map((s) => s.trim()).filter(Boolean);
  const id = name.toLowerCase().replace(/[^a-z0-9._@+-]+/g, "-").slice(0, 40) + "-" + Math.random().toString(36).slice(2, 6);
  request({type: "GROUP_CREATE", group: id, name, members}, (r) => {
    $("new-group-name").value = "";
    $("new-group-members").value = "";
    state.groups.set(r.group.id, r.group);
    renderGroups();
    open("g:" + r.group.id);
  });
});

$("group-add-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const member = $("group-add-member").value.trim();
  const group = state.current.slice(2);
  if (!member) return;
  request({type: "GROUP_ADD", group, member}, () => {
    $("group-add-member").value = "";
    loadMembers(group);
  });
});

$("group-leave").addEventListener("click", () => {
  const group = state.current.slice(2);
  request({type: "GROUP_LEAVE", group}, () => {
    state.groups.delete(group);
    state.current = null;
    $("group-panel").hidden = true;
    renderGroups();
    renderMessages();
    renderHeader();
  });
});

// ---------------------------------------------------------------- rendering

function lastSeenText(p) {
  if (!p) return "";
  if (p.online) return "online";
  if (!p.lastSeen) return "offline";
  return "last seen " + new Date(p.lastSeen).toLocaleTimeString();
}

function renderContacts() {
  const ul = $("contacts");
  ul.replaceChildren();
  for (const [user, p] of [...state.contacts.entries()].sort()) {
    const li = document.createElement("li");
    li.className = "contact" + (state.current === "u:" + user ? " active" : "");
    li.dataset.user = user;
    const name = document.createElement("span");
    name.textContent = user;
    const pres = document.createElement("span");
    pres.className = "presence" + (p.online ? " online" : "");
    pres.textContent = lastSeenText(p);
    li.append(name, pres);
    const unread = state.unread.get("u:" + user);
    if (unread) {
      const b = document.createElement("span");
      b.className = "unread";
      b.textContent = unread;
      li.append(b);
    }
    li.onclick = () => open("u:" + user);
    ul.append(li);
  }
}

function renderGroups() {
  const ul = $("groups");
  ul.replaceChildren();
  for (const g of state.groups.values()) {
    const li = document.createElement("li");
    li.className = "group" + (state.current === "g:" + g.id ? " active" : "");
    li.dataset.group = g.id;
    const name = document.createElement("span");
    name.textContent = g.name;
    li.append(name);
    const unread = state.unread.get("g:" + g.id);
    if (unread) {
      const b = document.createElement("span");
      b.className = "unread";
      b.textContent = unread;
      li.append(b);
    }
    li.onclick = () => open("g:" + g.id);
    ul.append(li);
  }
}

function renderHeader() {
  if (!state.current) {
    $("conversation-title").textContent = "Pick a contact or a group";
    $("conversation-status").textContent = "";
    return;
  }
  const [kind, name] = [state.current.slice(0, 1), state.current.slice(2)];
  if (kind === "g") {
    $("conversation-title").textContent = (state.groups.get(name) || {name}).name;
    $("conversation-status").textContent = "group";
  } else {
    $("conversation-title").textContent = name;
    $("conversation-status").textContent = lastSeenText(state.contacts.get(name));
  }
}

function renderMessages() {
  const ol = $("messages");
  ol.replaceChildren();
  if (!state.current) return;
  const msgs = [...conversation(state.current).messages.values()].sort((a, b) => a.ts - b.ts);
  const group = state.current.startsWith("g:");
  for (const m of msgs) {
    const li = document.createElement("li");
    li.className = "msg" + (m.mine ? " mine" : "");
    li.dataset.id = m.id;
    if (m.mine) li.dataset.status = m.status;
    if (group && !m.mine) {
      const from = document.createElement("div");
      from.className = "from";
      from.textContent = m.from;
      li.append(from);
    }
    const body = document.createElement("div");
    body.className = "body";
    if (m.media) body.append(mediaElement(m)); else body.textContent = m.text;
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = new Date(m.ts).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    if (m.mine) {
      const t = document.createElement("span");
      t.className = "ticks";
      t.textContent = ticks(m.status);
      meta.append(t);
    }
    li.append(body, meta);
    ol.append(li);
  }
  ol.scrollTop = ol.scrollHeight;
}

// ---------------------------------------------------------------- media (media.js)

$("attach").addEventListener("change", async () => {
  const file = $("attach").files[0];
  $("attach").value = "";
  if (!file || !state.current) return;
  const key = state.current;
  const [kind, name] = [key.slice(0, 1), key.slice(2)];
  const id = "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
  const contentType = file.type || "application/octet-stream";
  const plaintext = new Uint8Array(await file.arrayBuffer());
  const entry = {id, from: state.me, text: file.name, ts: Date.now(), mine: true, status: "pending",
    media: {name: file.name, contentType}, url: URL.createObjectURL(new Blob([plaintext], {type: contentType}))};
  addMessage(key, entry);
  const fail = (why) => {
    setStatus(id, "failed");
    $("conversation-status").textContent = "could not send " + file.name + ": " + why;
  };
  let encrypted;
  try {
    encrypted = await MediaCrypto.encrypt(plaintext);
  } catch (e) {
    return fail("encryption unavailable (" + e.message + ")");
  }
  request({type: "MEDIA_UPLOAD", contentType, size: encrypted.size}, async (result) => {
    const grant = result.upload;
    const headers = {};
    for (const [h, v] of Object.entries(grant.headers || {})) {
      if (!["content-length", "host"].includes(h.toLowerCase())) headers[h] = v;
    }
    try {
      const res = await fetch(onThisOrigin(grant.url), {method: "PUT", headers, body: encrypted.blob});
      if (!res.ok) return fail("upload refused (" + res.status + ")");
    } catch (e) {
      return fail("upload failed");
    }
    const frame = {type: "SEND", id, kind: "MEDIA", body: MediaCrypto.body(encrypted, contentType, file.name),
      media: {key: grant.key, contentType, size: encrypted.size}, ts: Date.now()};
    if (kind === "g") frame.group = name; else frame.to = name;
    state.pending.set(id, frame);
    send(frame);
  }, (error) => fail(error.message));
});

// The server's media URLs name the host it was started with (127.0.0.1 by default), but the page
// may have been opened under another name for the same server (http://localhost:8080, a public
// name): a request to the other name is cross-origin, and the browser refuses it. The URL's
// signature covers its path and query, not the host, so a URL of this server's media path on this
// page's scheme and port is sent to the page's own origin. Other URLs (an S3 bucket) are kept.
const MEDIA_PATH = "/media/";
function onThisOrigin(url) {
  const u = new URL(url, location.href);
  if (u.origin !== location.origin && u.protocol === location.protocol
      && u.port === location.port && u.pathname.startsWith(MEDIA_PATH)) {
    return location.origin + u.pathname + u.search;
  }
  return u.href;
}

// An image shown inline, anything else as a download link; fetched and decrypted on first show.
function mediaElement(m) {
  const image = (m.media.contentType || "").startsWith("image/");
  if (!m.url) {
    const placeholder = document.createElement("span");
    placeholder.className = "media-loading";
    placeholder.textContent = m.error ? "\u26A0 " + m.error : "\u2B07 " + m.text;
    if (!m.loading && !m.error) fetchMedia(m);
    return placeholder;
  }
  if (image) {
    const img = document.createElement("img");
    img.className = "media";
    img.alt = m.media.name || "image";
    img.src = m.url;
    return img;
  }
  const a = document.createElement("a");
  a.className = "media";
  a.href = m.url;
  a.download = m.media.name || "file";
  a.textContent = "\u{1F4CE} " + (m.media.name || "file");
  return a;
}

function fetchMedia(m) {
  m.loading = true;
  const done = (error) => {
    m.loading = false;
    if (error) m.error = error;
    renderMessages();
  };
  request({type: "MEDIA_DOWNLOAD", key: m.media.objectKey}, async (result) => {
    try {
      const res = await fetch(onThisOrigin(result.download.url));
      if (!res.ok) return done("download failed (" + res.status + ")");
      const blob = new Uint8Array(await res.arrayBuffer());
      const plaintext = await MediaCrypto.decrypt(blob, m.media);
      m.url = URL.createObjectURL(new Blob([plaintext], {type: m.media.contentType}));
      done(null);
    } catch (e) {
      done("media could not be verified: " + e.message);
    }
  }, (error) => done(error.message));
}
