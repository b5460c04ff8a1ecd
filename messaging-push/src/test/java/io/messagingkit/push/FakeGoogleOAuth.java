package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Request;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token endpoint that checks the service account's signed JWT (RS256 by the account's key, issuer
 * = client_email, audience = the endpoint, the FCM scope, at most one hour) before it issues an
 * access token, and remembers which tokens it issued.
 */
final class FakeGoogleOAuth implements AutoCloseable {

  final FakeHttpProvider endpoint;
  final FcmServiceAccount account;
  private final RSAPublicKey publicKey;
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final AtomicInteger counter = new AtomicInteger();
  volatile long expiresIn = 3600;

  FakeGoogleOAuth() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    publicKey = (RSAPublicKey) pair.getPublic();
    endpoint = new FakeHttpProvider(this::issue).start();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    String json =
        "{\"type\":\"service_account\",\"project_id\":\"chat-app-4711\",\"private_key_id\":\"k1\","
            + "\"private_key\":\""
            + pem.replace("\n", "\\n")
            + "\",\"client_email\":\"push@chat-app-4711.iam.gserviceaccount.com\","
            + "\"token_uri\":\""
            + endpoint.baseUri()
            + "/token\"}";
    account =
        FcmServiceAccount.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  boolean issued(String token) {
    return issued.contains(token);
  }

  int exchanges() {
    return endpoint.received().size();
  }

  private Response issue(Request r) {
    try {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/token");
      assertThat(r.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
      Map<String, String> form = new HashMap<>();
      for (String pair : r.bodyText().split("&")) {
        String[] kv = pair.split("=", 2);
        form.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
      SignedJWT jwt = SignedJWT.parse(form.get("assertion"));
      assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
      assertThat(jwt.getHeader().getKeyID()).isEqualTo("k1");
      if (!jwt.verify(new RSASSAVerifier(publicKey))) {
        return Response.json(
            400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad signature\"}");
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      assertThat(c.getIssuer()).isEqualTo(account.clientEmail());
      assertThat(c.getAudience()).containsExactly(endpoint.baseUri() + "/token");
      assertThat(c.getStringClaim("scope")).isEqualTo(FcmAccessTokens.SCOPE);
      Duration lifetime =
          Duration.between(c.getIssueTime().toInstant(), c.getExpirationTime().toInstant());
      assertThat(lifetime).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
      String token = "ya29.fake-" + counter.incrementAndGet();
      issued.add(token);
      return Response.json(
          200,
          "{\"access_token\":\""
              + token
              + "\",\"expires_in\":"
              + expiresIn
              + ",\"token_type\":\"Bearer\"}");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
