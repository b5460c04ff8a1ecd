package io.messagingkit.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Google service account allowed to send through FCM: the fields FCM HTTP v1 needs from the JSON
 * key file a Firebase project hands out.
 *
 * @param projectId the Firebase project ({@code project_id})
 * @param clientEmail the account ({@code client_email}), issuer of the signed token request
 * @param privateKeyId the key's id ({@code private_key_id}), sent as the JWT {@code kid}; may be
 *     null
 * @param privateKey the RSA key ({@code private_key}, PKCS#8 PEM)
 * @param tokenUri where access tokens are obtained ({@code token_uri})
 */
public record FcmServiceAccount(
    String projectId,
    String clientEmail,
    @Nullable String privateKeyId,
    RSAPrivateKey privateKey,
    URI tokenUri) {

  /** Google's OAuth 2.0 token endpoint, used when the key file names none. */
  public static final URI GOOGLE_TOKEN_URI = URI.create("https://oauth2.googleapis.com/token");

  public FcmServiceAccount {
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(clientEmail, "clientEmail");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(tokenUri, "tokenUri");
    if (projectId.isBlank() || clientEmail.isBlank()) {
      throw new IllegalArgumentException("project_id and client_email must not be blank");
    }
  }

  /** Reads a service account JSON key file; fails naming the missing or malformed field. */
  public static FcmServiceAccount fromJson(InputStream json) throws IOException {
    JsonNode node = new ObjectMapper().readTree(json);
    String type = node.path("type").asText("");
    if (!type.equals("service_account")) {
      throw new IllegalArgumentException(
          "not a service account key file: type is '" + type + "', expected service_account");
    }
    String pem = required(node, "private_key");
    RSAPrivateKey key;
    try {
      key = parsePkcs8(pem);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "private_key is not a PKCS#8 RSA key: " + e.getMessage(), e);
    }
    String tokenUri = node.path("token_uri").asText("");
    return new FcmServiceAccount(
        required(node, "project_id"),
        required(node, "client_email"),
        node.hasNonNull("private_key_id") ? node.get("private_key_id").asText() : null,
        key,
        tokenUri.isBlank() ? GOOGLE_TOKEN_URI : URI.create(tokenUri));
  }

  /** This account with another token endpoint (tests, or a token proxy). */
  public FcmServiceAccount withTokenUri(URI uri) {
    return new FcmServiceAccount(projectId, clientEmail, privateKeyId, privateKey, uri);
  }

  private static String required(JsonNode node, String field) {
    String value = node.path(field).asText("");
    if (value.isBlank()) {
      throw new IllegalArgumentException("the service account key file has no " + field);
    }
    return value;
  }

  private static RSAPrivateKey parsePkcs8(String pem) throws GeneralSecurityException {
    String base64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return (RSAPrivateKey)
        KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  @Override
  public String toString() {
    return "FcmServiceAccount[projectId=" + projectId + ", clientEmail=" + clientEmail + "]";
  }
}
