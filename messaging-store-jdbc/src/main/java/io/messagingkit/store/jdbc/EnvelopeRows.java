package io.messagingkit.store.jdbc;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The columns an {@link Envelope} is stored in (offline queue and archive share them), with exact
 * round trips: timestamps as epoch second plus nanosecond, the body as bytes. Not API.
 */
final class EnvelopeRows {
  private EnvelopeRows() {}

  static final String COLUMNS =
      "message_id, from_user_id, from_device_id, to_user_id, to_group_id, message_type, content,"
          + " media_key, media_content_type, media_size, refers_to, client_ts_s, client_ts_n,"
          + " server_ts_s, server_ts_n, server_seq";

  static final String PARAMETERS =
      ":message_id, :from_user_id, :from_device_id, :to_user_id, :to_group_id, :message_type,"
          + " :content, :media_key, :media_content_type, :media_size, :refers_to, :client_ts_s,"
          + " :client_ts_n, :server_ts_s, :server_ts_n, :server_seq";

  static <S extends SqlStatement<S>> S bind(S statement, Envelope e) {
    String toUser = e.recipient() instanceof Recipient.ToUser u ? u.user().value() : null;
    String toGroup = e.recipient() instanceof Recipient.ToGroup g ? g.group().value() : null;
    MediaRef media = e.media();
    return statement
        .bind("message_id", e.id().value())
        .bind("from_user_id", e.sender().user().value())
        .bind("from_device_id", e.sender().device().value())
        .bind("to_user_id", toUser)
        .bind("to_group_id", toGroup)
        .bind("message_type", e.type().name())
        .bind("content", e.body())
        .bind("media_key", media == null ? null : media.objectKey())
        .bind("media_content_type", media == null ? null : media.contentType())
        .bind("media_size", media == null ? null : media.sizeBytes())
        .bind("refers_to", e.refersTo() == null ? null : e.refersTo().value())
        .bind("client_ts_s", e.clientTimestamp().getEpochSecond())
        .bind("client_ts_n", e.clientTimestamp().getNano())
        .bind("server_ts_s", e.serverTimestamp().getEpochSecond())
        .bind("server_ts_n", e.serverTimestamp().getNano())
        .bind("server_seq", e.serverSequence());
  }

  static Envelope read(ResultSet rs) throws SQLException {
    String toUser = rs.getString("to_user_id");
    Recipient recipient =
        toUser != null
            ? Recipient.user(UserId.of(toUser))
            : Recipient.group(GroupId.of(rs.getString("to_group_id")));
    String mediaKey = rs.getString("media_key");
    MediaRef media =
        mediaKey == null
            ? null
            : new MediaRef(mediaKey, rs.getString("media_content_type"), rs.getLong("media_size"));
    String refersTo = rs.getString("refers_to");
    byte[] body = rs.getBytes("content");
    return new Envelope(
        MessageId.of(rs.getString("message_id")),
        DeviceAddress.of(rs.getString("from_user_id"), rs.getString("from_device_id")),
        recipient,
        MessageType.valueOf(rs.getString("message_type")),
        body == null ? new byte[0] : body,
        media,
        refersTo == null ? null : MessageId.of(refersTo),
        Instant.ofEpochSecond(rs.getLong("client_ts_s"), rs.getInt("client_ts_n")),
        Instant.ofEpochSecond(rs.getLong("server_ts_s"), rs.getInt("server_ts_n")),
        rs.getLong("server_seq"));
  }
}
