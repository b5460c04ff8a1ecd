package io.messagingkit.transport.websocket;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.HistoryPage;
import io.messagingkit.core.MessagingException;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.FrameException;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat endpoint: one instance per connection, created by the handshake configurator of a {@link
 * ChatWebSocket}. Written against the Jakarta WebSocket API only, so the same class runs on Tyrus,
 * Jetty or any other container. Each inbound text frame is rate-limited, decoded, checked and
 * handed to the connection's {@link DeviceSession}; every failure is answered with an {@code ERROR}
 * frame or a close code (see {@code docs/protocol.md}) and affects only this connection.
 */
public final class ChatEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(ChatEndpoint.class);

  private final ChatWebSocket owner;
  private final WireCodec codec;
  private volatile @Nullable Session session;
  private volatile @Nullable WebSocketDeviceConnection connection;
  private volatile @Nullable DeviceSession deviceSession;
  private volatile @Nullable DeviceAddress device;
  private volatile @Nullable String address;
  private volatile @Nullable ScheduledFuture<?> pings;
  private volatile @Nullable ScheduledFuture<?> expiry;
  private int rateViolations;
  private volatile boolean counted;

  ChatEndpoint(ChatWebSocket owner) {
    this.owner = owner;
    this.codec = owner.codec();
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    this.session = session;
    WebSocketSettings settings = owner.settings();
    session.setMaxTextMessageBufferSize(settings.maxTextFrameBytes());
    session.setMaxBinaryMessageBufferSize(1024);
    session.setMaxIdleTimeout(settings.idleTimeout().toMillis());
    // Only the per-connection copy: never fall back to a map other connections could share.
    Object dev = session.getUserProperties().get(HandshakeConfigurator.DEVICE);
    WebSocketDeviceConnection conn =
        new WebSocketDeviceConnection(
            session, codec, settings.maxOutboundBytesPerConnection(), owner.outboundBudget());
    this.connection = conn;
    if (!(dev instanceof DeviceAddress d)) {
      conn.closeQuietly(CloseCodes.POLICY_VIOLATION, "not authenticated");
      return;
    }
    this.device = d;
    Object addr = session.getUserProperties().get(HandshakeConfigurator.REMOTE_ADDRESS);
    if (addr instanceof String a) {
      if (!owner.acquireAddress(a)) {
        conn.closeQuietly(CloseCodes.POLICY_VIOLATION, "too many connections from this address");
        return;
      }
      this.address = a;
    }
    session.addMessageHandler(String.class, this::onText);
    // A partial handler sees the first fragment of a binary message before the container buffers
    // (and size-checks) the whole of it, so every binary message gets 1003, whatever its size.
    session.addMessageHandler(
        ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
    owner.opened();
    counted = true;
    // WELCOME is queued first but written only once the device is connected (registered: senders
    // may address it as soon as the client has seen WELCOME), ahead of its first messages.
    conn.hold();
    conn.sendFrame(
        new ServerFrame.Welcome(
            d,
            WireCodec.SUBPROTOCOL,
            settings.heartbeatInterval().toMillis(),
            settings.maxTextFrameBytes()));
    try {
      this.deviceSession = owner.connector().connect(d, conn);
      conn.release();
    } catch (MessagingException e) {
      conn.release();
      conn.sendFrame(ClientErrors.of(null, "CONNECT", e));
      // a refusal (limit_exceeded, invalid_request) is final: do not invite a reconnect
      conn.closeQuietly(
          e.retryable() ? CloseCodes.INTERNAL_ERROR : CloseCodes.POLICY_VIOLATION,
          "cannot connect: " + e.code().wireName());
      return;
    } catch (RuntimeException e) {
      conn.release();
      log.warn("connect failed for {}", d, e);
      conn.closeQuietly(CloseCodes.INTERNAL_ERROR, "cannot connect");
      return;
    }
    long ping = settings.pingInterval().toMillis();
    try {
      this.pings =
          owner.scheduler().scheduleAtFixedRate(this::ping, ping, ping, TimeUnit.MILLISECONDS);
      if (session.getUserProperties().get(HandshakeConfigurator.EXPIRES_AT)
          instanceof java.time.Instant expiresAt) {
        long left = Math.max(0, expiresAt.toEpochMilli() - settings.clock().millis());
        this.expiry =
            owner
                .scheduler()
                .schedule(
                    () ->
                        conn.closeQuietly(
                            CloseCodes.CREDENTIALS_EXPIRED,
                            "credentials expired; reconnect with a fresh token"),
                    left,
                    TimeUnit.MILLISECONDS);
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("scheduler stopped; no pings or expiry for {}", d);
    }
  }

  private void ping() {
    Session s = session;
    if (s == null || !s.isOpen()) {
      return;
    }
    try {
      s.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
    } catch (Exception e) {
      log.debug("ping failed", e);
    }
  }

  private void onBinary(ByteBuffer data, boolean last) {
    conn().closeQuietly(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
  }

  private WebSocketDeviceConnection conn() {
    return java.util.Objects.requireNonNull(connection);
  }

  private void onText(String text) {
    WebSocketDeviceConnection conn = conn();
    DeviceSession ds = deviceSession;
    if (ds == null || conn.isClosed()) {
      return;
    }
    // Per user, shared by all its connections and kept across reconnects: bytes first (they
    // bound the cost of decoding), then request frames or control frames (ACK, HEARTBEAT).
    UserRateLimits.Buckets limits =
        owner.rateLimits().of(java.util.Objects.requireNonNull(device).user());
    if (!limits.bytes().tryAcquire(OutboundBudget.utf8Length(text))) {
      rateLimited(conn, null);
      return;
    }
    ClientFrame frame;
    try {
      frame = codec.decodeClient(text);
    } catch (FrameException e) {
      if (limits.requests().tryAcquire()) {
        reply(new ServerFrame.Error(e.code(), e.ref(), e.getMessage()));
      } else {
        rateLimited(conn, e.ref());
      }
      return;
    }
    boolean control =
        frame instanceof ClientFrame.Ack
            || frame instanceof ClientFrame.AckUpTo
            || frame instanceof ClientFrame.Heartbeat;
    if (!(control ? limits.control() : limits.requests()).tryAcquire()) {
      rateLimited(conn, refOf(frame));
      return;
    }
    try {
      handle(ds, frame);
    } catch (RuntimeException e) {
      reply(ClientErrors.of(refOf(frame), frame.type(), e));
    }
  }

  private void rateLimited(WebSocketDeviceConnection conn, @Nullable String ref) {
    rateViolations++;
    if (rateViolations > owner.settings().maxRateViolations()) {
      conn.closeQuietly(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
      return;
    }
    reply(new ServerFrame.Error(ErrorCode.RATE_LIMITED, ref, "rate limit exceeded"));
  }

  private void handle(DeviceSession ds, ClientFrame frame) {
    DeviceAddress self = java.util.Objects.requireNonNull(device);
    if (frame instanceof ClientFrame.Send s) {
      if (s.from() != null && !s.from().equals(self.user())) {
        reply(
            new ServerFrame.Error(
                ErrorCode.FORBIDDEN, s.id().value(), "SEND: 'from' must be the signed-in user"));
        return;
      }
      ds.send(
              new SendRequest(
                  s.id(), s.to(), s.kind(), s.body(), s.media(), s.clientTimestamp(), s.from()))
          .whenComplete(
              (receipt, failure) -> {
                if (failure == null) {
                  reply(
                      new ServerFrame.SentAck(
                          receipt.id(), receipt.serverTimestamp(), receipt.duplicate()));
                } else {
                  reply(ClientErrors.of(s.id().value(), s.type(), failure));
                }
              });
    } else if (frame instanceof ClientFrame.Ack a) {
      ds.acknowledge(a.from(), a.id());
    } else if (frame instanceof ClientFrame.AckUpTo a) {
      ds.acknowledgeUpTo(a.upTo());
    } else if (frame instanceof ClientFrame.Read r) {
      ds.markRead(r.from(), r.id())
          .whenComplete(
              (v, failure) -> {
                if (failure != null) {
                  reply(ClientErrors.of(r.id().value(), r.type(), failure));
                }
              });
    } else if (frame instanceof ClientFrame.Heartbeat) {
      ds.heartbeat();
      reply(new ServerFrame.HeartbeatAck(owner.settings().clock().instant()));
    } else if (frame instanceof ClientFrame.Typing t) {
      ds.typing(t.to(), t.typing());
    } else if (frame instanceof ClientFrame.Presence p) {
      for (UserId user : p.users()) {
        io.messagingkit.core.Presence presence;
        try {
          presence = ds.presenceOf(user);
        } catch (io.messagingkit.core.ForbiddenException hidden) {
          // Indistinguishable from a user never seen: reveals nothing about the user.
          presence = io.messagingkit.core.Presence.unknown(user);
        }
        reply(new ServerFrame.Presence(p.rid(), presence));
      }
    } else if (frame instanceof ClientFrame.GroupCreate g) {
      var info = ds.createGroup(g.group(), g.name(), g.members());
      reply(new ServerFrame.Result(g.rid(), info, null, null, null, null));
    } else if (frame instanceof ClientFrame.GroupMemberOp g) {
      switch (g.op()) {
        case GROUP_ADD -> ds.addMember(g.group(), g.member());
        case GROUP_REMOVE -> ds.removeMember(g.group(), g.member());
        case GROUP_PROMOTE -> ds.promoteAdmin(g.group(), g.member());
      }
      reply(ServerFrame.Result.ok(g.rid()));
    } else if (frame instanceof ClientFrame.GroupLeave g) {
      ds.leaveGroup(g.group());
      reply(ServerFrame.Result.ok(g.rid()));
    } else if (frame instanceof ClientFrame.GroupList g) {
      reply(new ServerFrame.Result(g.rid(), null, ds.myGroups(), null, null, null));
    } else if (frame instanceof ClientFrame.GroupMembers g) {
      reply(new ServerFrame.Result(g.rid(), null, null, ds.members(g.group()), null, null));
    } else if (frame instanceof ClientFrame.History h) {
      Conversation c =
          h.with() instanceof Recipient.ToUser u
              ? Conversation.direct(self.user(), u.user())
              : Conversation.group(((Recipient.ToGroup) h.with()).group());
      HistoryPage page = ds.history(c, h.cursor(), h.limit());
      List<ServerFrame.Message> messages = new ArrayList<>();
      for (Envelope e : page.messages()) {
        if (!e.type().isReceipt()) {
          messages.add(WebSocketDeviceConnection.message(e));
        }
      }
      reply(new ServerFrame.HistoryPage(h.rid(), messages, page.nextCursor()));
    } else if (frame instanceof ClientFrame.MediaUpload m) {
      var grant = ds.requestUpload(m.contentType(), m.size());
      reply(new ServerFrame.Result(m.rid(), null, null, null, grant, null));
    } else if (frame instanceof ClientFrame.MediaDownload m) {
      var grant = ds.requestDownload(m.key());
      reply(new ServerFrame.Result(m.rid(), null, null, null, null, grant));
    } else if (frame instanceof ClientFrame.PushRegister p) {
      ds.registerPushTarget(p.target());
      reply(ServerFrame.Result.ok(p.rid()));
    }
  }

  /** Queues a reply; a connection over its outbound byte bound is closed as a slow consumer. */
  private void reply(ServerFrame frame) {
    WebSocketDeviceConnection conn = conn();
    if (!conn.sendFrame(frame) && !conn.isClosed()) {
      conn.closeQuietly(CloseCodes.SLOW_CONSUMER, "outbound bytes over the limit");
    }
  }

  private static @Nullable String refOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send s) {
      return s.id().value();
    } else if (frame instanceof ClientFrame.Ack a) {
      return a.id().value();
    } else if (frame instanceof ClientFrame.Read r) {
      return r.id().value();
    }
    return frame.rid();
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    if (pings != null) {
      pings.cancel(false);
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
    DeviceSession ds = deviceSession;
    deviceSession = null;
    if (ds != null) {
      try {
        ds.close();
      } catch (RuntimeException e) {
        log.warn("closing the session of {} failed", device, e);
      }
    }
    if (connection != null) {
      connection.closeQuietly(CloseCodes.NORMAL, "closed");
    }
    if (address != null) {
      owner.releaseAddress(address);
      address = null;
    }
    if (counted) {
      counted = false;
      owner.closed();
    }
  }

  @Override
  public void onError(Session session, Throwable thr) {
    log.debug("websocket error on {}: {}", device, thr.toString());
  }
}
