package io.messagingkit.transport.websocket.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.media.EncryptedMedia;
import io.messagingkit.core.media.MediaDigest;
import io.messagingkit.core.media.MediaKey;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the SDK puts in the (opaque) body of a MEDIA message: UTF-8 JSON {@code {"v":1, "key",
 * "digest", "size", "contentType", "name"}} with the media key and the blob's SHA-256 digest in
 * standard Base64 (the format of {@code docs/media.md}). Only the sender and the recipients read
 * it.
 *
 * @param objectKey the media store's object key (also in the message's media reference)
 * @param contentType the plaintext's content type
 * @param media the key, digest and blob size needed to verify and decrypt
 * @param fileName a file name to show, or null
 */
public record MediaAttachment(
    String objectKey, String contentType, EncryptedMedia media, @Nullable String fileName) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public MediaAttachment {
    Objects.requireNonNull(objectKey, "objectKey");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(media, "media");
  }

  /** Reads the attachment of a MEDIA message sent by this SDK. */
  public static MediaAttachment of(ServerFrame.Message message) {
    MediaRef ref = message.media();
    if (message.kind() != MessageType.MEDIA || ref == null) {
      throw new InvalidRequestException("message " + message.id() + " is not a MEDIA message");
    }
    try {
      JsonNode n = JSON.readTree(message.body());
      if (n == null || n.path("v").asInt() != 1) {
        throw new InvalidRequestException("unknown media body version in " + message.id());
      }
      return new MediaAttachment(
          ref.objectKey(),
          n.path("contentType").asText(ref.contentType()),
          new EncryptedMedia(
              MediaKey.fromBase64(n.path("key").asText()),
              MediaDigest.fromBase64(n.path("digest").asText()),
              n.path("size").asLong()),
          n.hasNonNull("name") ? n.get("name").asText() : null);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRequestException("unreadable media body in " + message.id(), e);
    }
  }

  /** The message body. */
  public byte[] toBody() {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", 1);
    o.put("key", media.key().toBase64());
    o.put("digest", media.digest().toBase64());
    o.put("size", media.size());
    o.put("contentType", contentType);
    if (fileName != null) {
      o.put("name", fileName);
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a media body", e);
    }
  }
}
