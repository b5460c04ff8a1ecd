package io.messagingkit.broker.kafka;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Presence;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Delivery;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The binary record format of the bus: a version byte, then the fields in a fixed order ({@link
 * DataOutputStream} encoding: modified UTF-8 strings, big-endian numbers). Enums travel by name, so
 * adding a constant never shifts another. A record this version cannot read fails with {@link
 * IllegalArgumentException}.
 */
final class BusCodec {

  static final byte VERSION = 1;

  private static final byte INCOMING = 1;
  private static final byte PRESENCE = 2;
  private static final byte TYPING = 3;
  private static final byte GROUP_CHANGED = 4;

  private BusCodec() {}

  static byte[] encode(Envelope envelope) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96 + envelope.body().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writeEnvelope(out, envelope);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Envelope decodeEnvelope(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      checkVersion(in);
      return readEnvelope(in);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an envelope record (" + data.length + " bytes)", e);
    }
  }

  static byte[] encode(Delivery delivery) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writeDevice(out, delivery.target());
      ServerEvent event = delivery.event();
      if (event instanceof ServerEvent.Incoming i) {
        out.writeByte(INCOMING);
        writeEnvelope(out, i.envelope());
        out.writeLong(i.queueSequence());
      } else if (event instanceof ServerEvent.PresenceChanged p) {
        out.writeByte(PRESENCE);
        out.writeUTF(p.presence().user().value());
        out.writeBoolean(p.presence().online());
        writeNullableInstant(out, p.presence().lastSeen());
      } else if (event instanceof ServerEvent.Typing t) {
        out.writeByte(TYPING);
        out.writeUTF(t.from().value());
        writeRecipient(out, t.to());
        out.writeBoolean(t.typing());
      } else if (event instanceof ServerEvent.GroupChanged g) {
        out.writeByte(GROUP_CHANGED);
        out.writeUTF(g.group().value());
        out.writeUTF(g.change().name());
        out.writeUTF(g.actor().value());
        writeNullableString(out, g.subject() == null ? null : g.subject().value());
      } else {
        throw new IllegalArgumentException("cannot encode " + event.getClass().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Delivery decodeDelivery(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      checkVersion(in);
      DeviceAddress target = readDevice(in);
      byte kind = in.readByte();
      ServerEvent event =
          switch (kind) {
            case INCOMING -> new ServerEvent.Incoming(readEnvelope(in), in.readLong());
            case PRESENCE ->
                new ServerEvent.PresenceChanged(
                    new Presence(
                        UserId.of(in.readUTF()), in.readBoolean(), readNullableInstant(in)));
            case TYPING ->
                new ServerEvent.Typing(
                    UserId.of(in.readUTF()), readRecipient(in), in.readBoolean());
            case GROUP_CHANGED -> {
              GroupId group = GroupId.of(in.readUTF());
              ServerEvent.GroupChanged.Change change =
                  ServerEvent.GroupChanged.Change.valueOf(in.readUTF());
              UserId actor = UserId.of(in.readUTF());
              String subject = readNullableString(in);
              yield new ServerEvent.GroupChanged(
                  group, change, actor, subject == null ? null : UserId.of(subject));
            }
            default -> throw new IllegalArgumentException("unknown event kind " + kind);
          };
      return new Delivery(target, event);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a delivery record (" + data.length + " bytes)", e);
    }
  }

  private static void checkVersion(DataInputStream in) throws IOException {
    byte version = in.readByte();
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported record version " + version);
    }
  }

  private static void writeEnvelope(DataOutputStream out, Envelope e) throws IOException {
    out.writeUTF(e.id().value());
    writeDevice(out, e.sender());
    writeRecipient(out, e.recipient());
    out.writeUTF(e.type().name());
    out.writeInt(e.body().length);
    out.write(e.body());
    MediaRef media = e.media();
    out.writeBoolean(media != null);
    if (media != null) {
      out.writeUTF(media.objectKey());
      out.writeUTF(media.contentType());
      out.writeLong(media.sizeBytes());
    }
    writeNullableString(out, e.refersTo() == null ? null : e.refersTo().value());
    writeInstant(out, e.clientTimestamp());
    writeInstant(out, e.serverTimestamp());
    out.writeLong(e.serverSequence());
  }

  private static Envelope readEnvelope(DataInputStream in) throws IOException {
    MessageId id = MessageId.of(in.readUTF());
    DeviceAddress sender = readDevice(in);
    Recipient recipient = readRecipient(in);
    MessageType type = MessageType.valueOf(in.readUTF());
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IllegalArgumentException("body length " + length + " exceeds the record");
    }
    byte[] body = in.readNBytes(length);
    MediaRef media =
        in.readBoolean() ? new MediaRef(in.readUTF(), in.readUTF(), in.readLong()) : null;
    String refersTo = readNullableString(in);
    Instant clientTimestamp = readInstant(in);
    Instant serverTimestamp = readInstant(in);
    long serverSequence = in.readLong();
    return new Envelope(
        id,
        sender,
        recipient,
        type,
        body,
        media,
        refersTo == null ? null : MessageId.of(refersTo),
        clientTimestamp,
        serverTimestamp,
        serverSequence);
  }

  private static void writeDevice(DataOutputStream out, DeviceAddress d) throws IOException {
    out.writeUTF(d.user().value());
    out.writeUTF(d.device().value());
  }

  private static DeviceAddress readDevice(DataInputStream in) throws IOException {
    return new DeviceAddress(UserId.of(in.readUTF()), DeviceId.of(in.readUTF()));
  }

  private static void writeRecipient(DataOutputStream out, Recipient r) throws IOException {
    if (r instanceof Recipient.ToGroup g) {
      out.writeByte('g');
      out.writeUTF(g.group().value());
    } else {
      out.writeByte('u');
      out.writeUTF(((Recipient.ToUser) r).user().value());
    }
  }

  private static Recipient readRecipient(DataInputStream in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case 'u' -> Recipient.user(UserId.of(in.readUTF()));
      case 'g' -> Recipient.group(GroupId.of(in.readUTF()));
      default -> throw new IllegalArgumentException("unknown recipient kind " + kind);
    };
  }

  private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
    out.writeLong(t.getEpochSecond());
    out.writeInt(t.getNano());
  }

  private static Instant readInstant(DataInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readLong(), in.readInt());
  }

  private static void writeNullableInstant(DataOutputStream out, @Nullable Instant t)
      throws IOException {
    out.writeBoolean(t != null);
    if (t != null) {
      writeInstant(out, t);
    }
  }

  private static @Nullable Instant readNullableInstant(DataInputStream in) throws IOException {
    return in.readBoolean() ? readInstant(in) : null;
  }

  private static void writeNullableString(DataOutputStream out, @Nullable String s)
      throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static @Nullable String readNullableString(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
