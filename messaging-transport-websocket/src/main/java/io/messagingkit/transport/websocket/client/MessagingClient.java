package io.messagingkit.transport.websocket.client;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.MessagingException;
import io.messagingkit.core.Presence;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.media.EncryptedBytes;
import io.messagingkit.core.media.MediaCrypto;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.transport.websocket.CloseCodes;
import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.FrameException;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java client SDK for wire protocol v1, on the JDK's {@code java.net.http.WebSocket}.
 *
 * <pre>{@code
 * MessagingClient client = MessagingClient.builder(URI.create("ws://localhost:8080/ws"))
 *     .token(() -> myToken)
 *     .listener(new MessagingClient.Listener() {
 *       public void onMessage(ServerFrame.Message m) { System.out.println(MessagingClient.text(m)); }
 *     })
 *     .build();
 * client.connect().join();
 * client.send(UserId.of("bob"), "hello").join(); // completes on SENT_ACK
 * }</pre>
 *
 * <p>What it does for the application: acknowledges every received message and receipt
 * automatically (after the listener saw it); drops duplicates (same sender and id) so the listener
 * never sees one twice; sends the application heartbeat; reconnects after a lost connection with
 * exponential backoff and full jitter (capped at 30 s by default) and then resends every message
 * not yet acknowledged by SENT_ACK, with its original id, so the server delivers it once. It does
 * not reconnect after close codes 4001 (unauthorized) and 4002 (replaced by another connection of
 * the same device), nor after {@link #close()}. After 4005 (the token expired) it reconnects with a
 * token freshly obtained from the {@linkplain Builder#token token supplier}.
 *
 * <p>Listeners run on the client's receive thread, one frame at a time: keep them short.
 * Thread-safe.
 */
public final class MessagingClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessagingClient.class);
  private static final int DEDUPE_CAPACITY = 10_000;
  private static final java.util.Set<String> RESTRICTED_HEADERS =
      java.util.Set.of("content-length", "host", "connection", "expect", "upgrade");

  /** What the application hears. Every method has an empty default. */
  public interface Listener {
    /** Connected (first time or after a reconnect), as {@code device}. */
    default void onConnected(DeviceAddress device) {}

    /** The connection was lost or closed; {@code reconnecting} says whether the client retries. */
    default void onDisconnected(int closeCode, String reason, boolean reconnecting) {}

    /** A message for this device (never a duplicate). It is acknowledged after this returns. */
    default void onMessage(ServerFrame.Message message) {}

    /** A device of the recipient received a message this user sent. */
    default void onDelivered(ServerFrame.Receipt receipt) {}

    /** The recipient read a message this user sent. */
    default void onRead(ServerFrame.Receipt receipt) {}

    /** A visible user's presence changed. */
    default void onPresence(Presence presence) {}

    /** A user started or stopped typing. */
    default void onTyping(UserId from, Recipient to, boolean typing) {}

    /** A group this user belongs to changed. */
    default void onGroupEvent(ServerFrame.GroupEvent event) {}

    /** An error the server sent that answers no pending request of this client. */
    default void onError(ServerFrame.Error error) {}
  }

  /**
   * The server's SENT_ACK for a message.
   *
   * @param id the message id
   * @param timestamp when the server accepted it
   * @param duplicate true when the server had accepted this id before
   */
  public record Sent(MessageId id, Instant timestamp, boolean duplicate) {}

  /**
   * A page of history, newest first.
   *
   * @param messages the messages
   * @param next the cursor of the next (older) page, or null at the end
   */
  public record HistoryPage(List<ServerFrame.Message> messages, @Nullable String next) {}

  private record PendingSend(ClientFrame.Send frame, CompletableFuture<Sent> future) {}

  private static final class PendingRequest {
    final CompletableFuture<Object> future = new CompletableFuture<>();
    final int expected;
    final boolean many;
    final List<Object> parts = new ArrayList<>();

    PendingRequest(int expected, boolean many) {
      this.expected = expected;
      this.many = many;
    }
  }

  private final URI uri;
  private final Supplier<String> token;
  private final Listener listener;
  private final Duration backoffBase;
  private final Duration backoffCap;
  private final HttpClient http;
  private final Duration handshakeTimeout;
  private final WireCodec codec = new WireCodec();
  private final ScheduledExecutorService scheduler;
  private final Map<String, PendingSend> pendingSends = new LinkedHashMap<>();
  private final Map<String, PendingRequest> pendingRequests = new ConcurrentHashMap<>();
  private final Map<String, Boolean> seen =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > DEDUPE_CAPACITY;
        }
      };
  private final AtomicLong rids = new AtomicLong();
  private final CompletableFuture<DeviceAddress> firstConnect = new CompletableFuture<>();

  private volatile @Nullable WebSocket ws;
  private volatile long lastReceived = System.nanoTime();
  private volatile @Nullable DeviceAddress device;
  private volatile boolean closed;
  private volatile boolean reconnecting;
  private CompletableFuture<?> writeChain = CompletableFuture.completedFuture(null);
  private int attempt;
  private @Nullable ScheduledFuture<?> heartbeat;
  private final AtomicLong reconnects = new AtomicLong();
  private final CumulativeAcks acks;

  private MessagingClient(Builder b) {
    this.uri = b.uri;
    this.token = Objects.requireNonNull(b.token, "token");
    this.listener = b.listener;
    this.backoffBase = b.backoffBase;
    this.backoffCap = b.backoffCap;
    this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
    this.handshakeTimeout = b.connectTimeout.multipliedBy(2);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "messagingkit-client");
              t.setDaemon(true);
              return t;
            });
    this.acks = new CumulativeAcks(scheduler, this::writeIfConnected);
  }

  /** A builder for a client of the endpoint at {@code uri} ({@code ws://host:port/ws}). */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * Connects; the future completes with the authenticated device on the server's WELCOME, or fails
   * if this first attempt fails (no automatic retry until a first connection succeeded).
   */
  public CompletableFuture<DeviceAddress> connect() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("client is closed"));
    }
    open()
        .whenComplete(
            (w, e) -> {
              if (e != null) {
                firstConnect.completeExceptionally(e);
              }
            });
    return firstConnect;
  }

  /** The device the server authenticated, once connected. */
  public @Nullable DeviceAddress device() {
    return device;
  }

  /** Whether a connection is open and welcomed. */
  public boolean isConnected() {
    return ws != null && device != null;
  }

  /** How many times the client reconnected. */
  public long reconnects() {
    return reconnects.get();
  }

  /** Sends a text message to a user; completes on SENT_ACK. */
  public CompletableFuture<Sent> send(UserId to, String text) {
    return send(newId(), Recipient.user(to), MessageType.TEXT, utf8(text), null);
  }

  /** Sends a text message to a group; completes on SENT_ACK. */
  public CompletableFuture<Sent> sendToGroup(GroupId group, String text) {
    return send(newId(), Recipient.group(group), MessageType.TEXT, utf8(text), null);
  }

  /**
   * Sends any message with a chosen id; completes on SENT_ACK. While disconnected the message waits
   * and is sent on reconnect; after a lost connection it is resent with the same id.
   */
  public CompletableFuture<Sent> send(
      MessageId id, Recipient to, MessageType kind, byte[] body, @Nullable MediaRef media) {
    ClientFrame.Send frame =
        new ClientFrame.Send(id, to, kind, body.clone(), media, Instant.now(), null);
    CompletableFuture<Sent> future = new CompletableFuture<>();
    synchronized (pendingSends) {
      PendingSend existing = pendingSends.get(id.value());
      if (existing != null) {
        return existing.future();
      }
      pendingSends.put(id.value(), new PendingSend(frame, future));
    }
    if (isConnected()) {
      write(codec.encode(frame));
    }
    return future;
  }

  /** Tells the sender of a received message that the user read it. */
  public void markRead(ServerFrame.Message message) {
    markRead(message.from().user(), message.id());
  }

  /** Tells {@code from} that the user read message {@code id}. */
  public void markRead(UserId from, MessageId id) {
    writeIfConnected(new ClientFrame.Read(from, id));
  }

  /** Tells the other side of a conversation that the user is (or stopped) typing. */
  public void typing(Recipient to, boolean typing) {
    writeIfConnected(new ClientFrame.Typing(to, typing));
  }

  /** The current presence of {@code users}; later changes arrive at {@link Listener#onPresence}. */
  public CompletableFuture<List<Presence>> subscribePresence(List<UserId> users) {
    String rid = rid();
    return this.<List<Object>>request(rid, users.size(), new ClientFrame.Presence(rid, users, true))
        .thenApply(parts -> parts.stream().map(p -> (Presence) p).toList());
  }

  /** Creates a group with this user as admin. */
  public CompletableFuture<GroupInfo> createGroup(GroupId id, String name, List<UserId> members) {
    String rid = rid();
    return this.<ServerFrame.Result>request(
            rid, 1, new ClientFrame.GroupCreate(rid, id, name, members))
        .thenApply(r -> Objects.requireNonNull(r.group()));
  }

  /** Adds a member (admins only). */
  public CompletableFuture<Void> addMember(GroupId group, UserId member) {
    return memberOp(ClientFrame.GroupMemberOp.Op.GROUP_ADD, group, member);
  }

  /** Removes a member (admins only). */
  public CompletableFuture<Void> removeMember(GroupId group, UserId member) {
    return memberOp(ClientFrame.GroupMemberOp.Op.GROUP_REMOVE, group, member);
  }

  /** Makes a member an admin (admins only). */
  public CompletableFuture<Void> promoteAdmin(GroupId group, UserId member) {
    return memberOp(ClientFrame.GroupMemberOp.Op.GROUP_PROMOTE, group, member);
  }

  /** Leaves a group. */
  public CompletableFuture<Void> leaveGroup(GroupId group) {
    String rid = rid();
    return this.<Object>request(rid, 1, new ClientFrame.GroupLeave(rid, group))
        .thenApply(r -> null);
  }

  /** The groups this user belongs to. */
  public CompletableFuture<List<GroupInfo>> groups() {
    String rid = rid();
    return this.<ServerFrame.Result>request(rid, 1, new ClientFrame.GroupList(rid))
        .thenApply(r -> Objects.requireNonNull(r.groups()));
  }

  /** The members of a group (the group field of each is {@code group}). */
  public CompletableFuture<List<GroupMember>> members(GroupId group) {
    String rid = rid();
    return this.<ServerFrame.Result>request(rid, 1, new ClientFrame.GroupMembers(rid, group))
        .thenApply(
            r ->
                Objects.requireNonNull(r.members()).stream()
                    .map(m -> new GroupMember(group, m.member(), m.admin()))
                    .toList());
  }

  /** One page of a conversation (a user or a group), newest first. */
  public CompletableFuture<HistoryPage> history(
      Recipient with, @Nullable String cursor, int limit) {
    String rid = rid();
    return this.<ServerFrame.HistoryPage>request(
            rid, 1, new ClientFrame.History(rid, with, cursor, limit))
        .thenApply(p -> new HistoryPage(p.messages(), p.next()));
  }

  /** A presigned upload for a client-encrypted blob of {@code size} bytes. */
  public CompletableFuture<MediaStore.UploadGrant> requestUpload(String contentType, long size) {
    String rid = rid();
    return this.<ServerFrame.Result>request(
            rid, 1, new ClientFrame.MediaUpload(rid, contentType, size))
        .thenApply(r -> Objects.requireNonNull(r.upload()));
  }

  /** A presigned download of a media object. */
  public CompletableFuture<MediaStore.DownloadGrant> requestDownload(String objectKey) {
    String rid = rid();
    return this.<ServerFrame.Result>request(rid, 1, new ClientFrame.MediaDownload(rid, objectKey))
        .thenApply(r -> Objects.requireNonNull(r.download()));
  }

  /** Where to wake this device while it is offline. */
  public CompletableFuture<Void> registerPush(PushTarget target) {
    String rid = rid();
    return this.<Object>request(rid, 1, new ClientFrame.PushRegister(rid, target))
        .thenApply(r -> null);
  }

  /**
   * Encrypts {@code plaintext} on this device ({@link MediaCrypto}), uploads the blob through a
   * presigned URL and sends a MEDIA message whose body carries the key and digest ({@link
   * MediaAttachment}); completes on SENT_ACK. The server never sees the plaintext or the key.
   */
  public CompletableFuture<Sent> sendMedia(
      Recipient to, byte[] plaintext, String contentType, @Nullable String fileName) {
    EncryptedBytes enc = MediaCrypto.encrypt(plaintext);
    return requestUpload(contentType, enc.media().size())
        .thenCompose(
            grant -> {
              HttpRequest.Builder put =
                  HttpRequest.newBuilder(grant.url())
                      .PUT(HttpRequest.BodyPublishers.ofByteArray(enc.ciphertext()));
              grant
                  .headers()
                  .forEach(
                      (k, v) -> {
                        if (!RESTRICTED_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                          put.header(k, v);
                        }
                      });
              return http.sendAsync(put.build(), HttpResponse.BodyHandlers.discarding())
                  .thenApply(
                      r -> {
                        if (r.statusCode() / 100 != 2) {
                          throw new UnavailableException(
                              "media upload refused with HTTP " + r.statusCode());
                        }
                        return grant;
                      });
            })
        .thenCompose(
            grant -> {
              MediaAttachment a =
                  new MediaAttachment(grant.objectKey(), contentType, enc.media(), fileName);
              return send(
                  newId(),
                  to,
                  MessageType.MEDIA,
                  a.toBody(),
                  new MediaRef(grant.objectKey(), contentType, enc.media().size()));
            });
  }

  /** Downloads, verifies and decrypts the media of a MEDIA message, in memory. */
  public CompletableFuture<byte[]> download(ServerFrame.Message message) {
    MediaAttachment a = MediaAttachment.of(message);
    return requestDownload(a.objectKey())
        .thenCompose(
            g ->
                http.sendAsync(
                    HttpRequest.newBuilder(g.url()).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray()))
        .thenApply(
            r -> {
              if (r.statusCode() != 200) {
                throw new UnavailableException("media download failed with HTTP " + r.statusCode());
              }
              return MediaCrypto.decrypt(r.body(), a.media());
            });
  }

  /**
   * Downloads the media of a MEDIA message into {@code target}, streaming: the file appears only
   * once the size, digest and tag were verified. Completes with the plaintext size.
   */
  public CompletableFuture<Long> download(ServerFrame.Message message, java.nio.file.Path target) {
    MediaAttachment a = MediaAttachment.of(message);
    return requestDownload(a.objectKey())
        .thenCompose(
            g ->
                http.sendAsync(
                    HttpRequest.newBuilder(g.url()).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream()))
        .thenApply(
            r -> {
              try (java.io.InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                  throw new UnavailableException(
                      "media download failed with HTTP " + r.statusCode());
                }
                return MediaCrypto.decrypt(in, a.media(), target);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  /** The text of a TEXT message. */
  public static String text(ServerFrame.Message message) {
    return new String(message.body(), StandardCharsets.UTF_8);
  }

  /** Closes the connection for good (no reconnect); pending sends fail. */
  @Override
  public void close() {
    acks.flush(); // what the listener was given is not sent again
    closed = true;
    WebSocket w = ws;
    ws = null;
    if (w != null) {
      w.sendClose(CloseCodes.NORMAL, "bye")
          .orTimeout(2, TimeUnit.SECONDS)
          .whenComplete((x, e) -> w.abort());
    }
    scheduler.shutdownNow();
    failAll(new IllegalStateException("client closed"), true);
    firstConnect.completeExceptionally(new IllegalStateException("client closed"));
  }

  // ---------------------------------------------------------------- internals

  private CompletableFuture<Void> memberOp(
      ClientFrame.GroupMemberOp.Op op, GroupId group, UserId member) {
    String rid = rid();
    return this.<Object>request(rid, 1, new ClientFrame.GroupMemberOp(rid, op, group, member))
        .thenApply(r -> null);
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> request(String rid, int expected, ClientFrame frame) {
    if (!isConnected()) {
      return CompletableFuture.failedFuture(new UnavailableException("not connected"));
    }
    PendingRequest p = new PendingRequest(expected, frame instanceof ClientFrame.Presence);
    pendingRequests.put(rid, p);
    write(codec.encode(frame));
    return (CompletableFuture<T>) p.future.orTimeout(30, TimeUnit.SECONDS);
  }

  private void writeIfConnected(ClientFrame frame) {
    if (isConnected()) {
      write(codec.encode(frame));
    }
  }

  private String rid() {
    return "r" + rids.incrementAndGet();
  }

  private static MessageId newId() {
    return MessageId.of(UUID.randomUUID().toString());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Serializes writes: the JDK WebSocket allows one outstanding send. */
  private synchronized void write(String text) {
    WebSocket w = ws;
    if (w == null) {
      return;
    }
    writeChain =
        writeChain
            .handle((r, e) -> null)
            .thenCompose(x -> w.sendText(text, true))
            .exceptionally(
                e -> {
                  log.debug("write failed: {}", e.toString());
                  broken(w, "write failed");
                  return null;
                });
  }

  /** Gives up on a connection that can no longer be written to or answers nothing. */
  private void broken(WebSocket w, String why) {
    w.abort();
    onClosed(w, 1006, why);
  }

  private CompletableFuture<WebSocket> open() {
    WebSocket.Builder b = http.newWebSocketBuilder().subprotocols(WireCodec.SUBPROTOCOL);
    b.header("Authorization", "Bearer " + token.get());
    return b.buildAsync(uri, new Receiver())
        .orTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(
            e -> {
              Throwable t =
                  e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
              if (t instanceof java.net.http.WebSocketHandshakeException h
                  && h.getResponse().statusCode() == 401) {
                throw new io.messagingkit.core.AuthenticationException(
                    "the server refused the token (HTTP 401)", h);
              }
              throw new UnavailableException("cannot connect to " + uri + ": " + t, t);
            })
        .thenApply(w -> w);
  }

  private void onWelcome(ServerFrame.Welcome welcome) {
    log.debug("welcomed as {}", welcome.device());
    device = welcome.device();
    acks.reset();
    attempt = 0;
    long hb = Math.max(1000, welcome.heartbeatMillis());
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    try {
      heartbeat =
          scheduler.scheduleAtFixedRate(
              () -> {
                WebSocket w = ws;
                if (w != null && System.nanoTime() - lastReceived > 3 * hb * 1_000_000L) {
                  broken(w, "no answer to heartbeats");
                } else {
                  writeIfConnected(new ClientFrame.Heartbeat());
                }
              },
              hb,
              hb,
              TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closed meanwhile
    }
    List<PendingSend> resend;
    synchronized (pendingSends) {
      resend = List.copyOf(pendingSends.values());
    }
    for (PendingSend p : resend) {
      write(codec.encode(p.frame()));
    }
    listener.onConnected(welcome.device());
    firstConnect.complete(welcome.device());
  }

  private void onFrame(ServerFrame frame) {
    if (frame instanceof ServerFrame.Welcome w) {
      onWelcome(w);
    } else if (frame instanceof ServerFrame.SentAck a) {
      PendingSend p;
      synchronized (pendingSends) {
        p = pendingSends.remove(a.id().value());
      }
      if (p != null) {
        p.future().complete(new Sent(a.id(), a.timestamp(), a.duplicate()));
      }
    } else if (frame instanceof ServerFrame.Message m) {
      if (firstSight("m:" + m.from().user() + "/" + m.id())) {
        safely(() -> listener.onMessage(m));
      }
      acknowledge(m.queueSequence(), new ClientFrame.Ack(m.from().user(), m.id()));
    } else if (frame instanceof ServerFrame.Receipt r) {
      if (firstSight("r:" + r.by().user() + "/" + r.receipt())) {
        safely(
            () -> {
              if (r.read()) {
                listener.onRead(r);
              } else {
                listener.onDelivered(r);
              }
            });
      }
      acknowledge(r.queueSequence(), new ClientFrame.Ack(r.by().user(), r.receipt()));
    } else if (frame instanceof ServerFrame.Presence p) {
      if (p.rid() != null && part(p.rid(), p.presence())) {
        return;
      }
      safely(() -> listener.onPresence(p.presence()));
    } else if (frame instanceof ServerFrame.Typing t) {
      safely(() -> listener.onTyping(t.from(), t.to(), t.typing()));
    } else if (frame instanceof ServerFrame.GroupEvent g) {
      safely(() -> listener.onGroupEvent(g));
    } else if (frame instanceof ServerFrame.HistoryPage h) {
      part(h.rid(), h);
    } else if (frame instanceof ServerFrame.Result r) {
      part(r.rid(), r);
    } else if (frame instanceof ServerFrame.Error e) {
      onError(e);
    }
  }

  private void onError(ServerFrame.Error e) {
    String ref = e.ref();
    MessagingException ex = new ServerErrorException(e.code(), ref, e.message());
    if (ref != null) {
      PendingSend p;
      synchronized (pendingSends) {
        p = pendingSends.remove(ref);
      }
      if (p != null) {
        p.future().completeExceptionally(ex);
        return;
      }
      PendingRequest r = pendingRequests.get(ref);
      if (r != null) {
        pendingRequests.remove(ref);
        r.future.completeExceptionally(ex);
        return;
      }
    }
    safely(() -> listener.onError(e));
  }

  /** Adds one part of a request's answer; true if it belonged to a pending request. */
  private boolean part(String rid, Object value) {
    PendingRequest r = pendingRequests.get(rid);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      r.parts.add(value);
      if (r.parts.size() < r.expected) {
        return true;
      }
    }
    pendingRequests.remove(rid);
    r.future.complete(r.many ? List.copyOf(r.parts) : value);
    return true;
  }

  /**
   * Acknowledges a queue entry: cumulatively by its queue position (one ACK frame per batch), or by
   * (sender, id) when the server gave no position.
   */
  private void acknowledge(long queueSequence, ClientFrame.Ack single) {
    if (queueSequence > 0) {
      acks.received(queueSequence);
    } else {
      write(codec.encode(single));
    }
  }

  private boolean firstSight(String key) {
    synchronized (seen) {
      return seen.put(key, Boolean.TRUE) == null;
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("listener failed", e);
    }
  }

  private void onClosed(WebSocket w, int code, String reason) {
    synchronized (this) {
      if (ws != w) {
        return; // an old connection, or already handled
      }
      ws = null;
    }
    log.debug("{}: connection closed ({} {})", device, code, reason);
    device = null;
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    failAll(new UnavailableException("connection lost (" + code + ")"), false);
    boolean retry = !closed && code != CloseCodes.UNAUTHORIZED && code != CloseCodes.REPLACED;
    safely(() -> listener.onDisconnected(code, reason, retry));
    if (retry) {
      scheduleReconnect();
    }
  }

  private void failAll(Exception e, boolean sendsToo) {
    for (String rid : List.copyOf(pendingRequests.keySet())) {
      PendingRequest r = pendingRequests.remove(rid);
      if (r != null) {
        r.future.completeExceptionally(e);
      }
    }
    if (sendsToo) {
      List<PendingSend> all;
      synchronized (pendingSends) {
        all = List.copyOf(pendingSends.values());
        pendingSends.clear();
      }
      all.forEach(p -> p.future().completeExceptionally(e));
    }
  }

  /** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)). */
  private void scheduleReconnect() {
    if (closed || reconnecting) {
      return;
    }
    reconnecting = true;
    long ceiling =
        Math.min(backoffCap.toMillis(), backoffBase.toMillis() * (1L << Math.min(attempt, 20)));
    long delay = ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    attempt++;
    try {
      scheduler.schedule(
          () -> {
            reconnecting = false;
            if (closed) {
              return;
            }
            reconnects.incrementAndGet();
            open()
                .whenComplete(
                    (w, e) -> {
                      if (e != null) {
                        log.debug("reconnect {} failed: {}", attempt, e.toString());
                        scheduleReconnect();
                      }
                    });
          },
          delay,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      reconnecting = false;
    }
  }

  private final class Receiver implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      // Before any frame: WELCOME may be handled before buildAsync's future completes.
      synchronized (MessagingClient.this) {
        writeChain = CompletableFuture.completedFuture(null);
      }
      ws = webSocket;
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      lastReceived = System.nanoTime();
      text.append(data);
      if (last) {
        String t = text.toString();
        text.setLength(0);
        try {
          onFrame(codec.decodeServer(t));
        } catch (FrameException e) {
          log.warn("unreadable frame from the server: {}", e.getMessage());
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      onClosed(webSocket, statusCode, reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      log.debug("connection error: {}", error.toString());
      onClosed(webSocket, 1006, String.valueOf(error.getMessage()));
    }
  }

  /** Builds a {@link MessagingClient}. */
  public static final class Builder {
    private final URI uri;
    private @Nullable Supplier<String> token;
    private Listener listener = new Listener() {};
    private Duration backoffBase = Duration.ofMillis(250);
    private Duration backoffCap = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);

    private Builder(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** The bearer token, asked for at every (re)connect so it can be refreshed. Required. */
    public Builder token(Supplier<String> token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /** What the application hears. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Reconnect backoff: base delay (default 250 ms) and cap (default 30 s). */
    public Builder backoff(Duration base, Duration cap) {
      this.backoffBase = base;
      this.backoffCap = cap;
      return this;
    }

    /** The TCP connect timeout (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public MessagingClient build() {
      if (token == null) {
        throw new IllegalArgumentException("token is required");
      }
      if (!uri.getScheme().equals("ws") && !uri.getScheme().equals("wss")) {
        throw new IllegalArgumentException("uri must be ws:// or wss://, got " + uri);
      }
      if (backoffBase.isNegative()
          || backoffBase.isZero()
          || backoffCap.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException(
            "backoff base must be positive and not above the cap, got "
                + backoffBase
                + "/"
                + backoffCap);
      }
      return new MessagingClient(this);
    }
  }
}
