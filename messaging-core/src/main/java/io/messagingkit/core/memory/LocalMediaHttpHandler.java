package io.messagingkit.core.memory;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MediaStore.MediaObject;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the presigned URLs of a {@link LocalFolderMediaStore} over any HTTP server: {@code PUT}
 * uploads and {@code GET} (or {@code HEAD}) downloads at {@code <base path>/<object key>?...}. It
 * checks the signature, the expiry and the exact size before anything is stored, writes the upload
 * to a temporary file and moves it into place only once complete.
 *
 * <p>The API uses JDK types only, so any server can mount it: pass the request method, the raw path
 * with its query, the headers and the body, and write the returned {@link Response}. {@link
 * JdkHttpServerAdapter} does that for the JDK's {@code com.sun.net.httpserver}.
 *
 * <p>Status codes: 200 done; 400 malformed request, a body shorter than the granted size or an
 * upload that broke off; 403 missing, wrong or expired signature; 404 unknown object; 405 wrong
 * method; 413 body larger than the granted size; 500 storage failure. Thread-safe.
 */
public final class LocalMediaHttpHandler {
  private static final Logger log = LoggerFactory.getLogger(LocalMediaHttpHandler.class);

  private final LocalFolderMediaStore store;

  LocalMediaHttpHandler(LocalFolderMediaStore store) {
    this.store = store;
  }

  /**
   * An HTTP response. Close it (or read its body to the end and close that) to release the file.
   *
   * @param status the HTTP status code
   * @param headers the response headers
   * @param contentLength the body length in bytes ({@code 0} for none)
   * @param body the body; for {@code HEAD} empty although {@code contentLength} is the object size
   */
  public record Response(
      int status, Map<String, String> headers, long contentLength, InputStream body)
      implements Closeable {
    public Response {
      headers = Map.copyOf(headers);
      Objects.requireNonNull(body, "body");
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /**
   * Handles one request.
   *
   * @param method the HTTP method, e.g. {@code PUT}
   * @param pathAndQuery the raw (still percent-encoded) request path and query, e.g. {@code
   *     /media/0123...?op=get&exp=...&sig=...}
   * @param headers the request headers; names are matched case-insensitively
   * @param body the request body (read for {@code PUT} only; not closed)
   */
  public Response handle(
      String method, String pathAndQuery, Map<String, List<String>> headers, InputStream body) {
    try {
      return dispatch(method.toUpperCase(Locale.ROOT), pathAndQuery, headers, body);
    } catch (IOException | RuntimeException e) {
      log.warn("media request {} {} failed", method, redact(pathAndQuery), e);
      return text(500, "media storage failed");
    }
  }

  private Response dispatch(
      String method, String pathAndQuery, Map<String, List<String>> headers, InputStream body)
      throws IOException {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String prefix = store.basePath() + "/";
    if (!path.startsWith(prefix)) {
      return text(404, "not a media URL");
    }
    String key = path.substring(prefix.length());
    if (!LocalFolderMediaStore.validKey(key)) {
      return text(404, "no such media object");
    }
    Map<String, String> params = q < 0 ? Map.of() : parseQuery(pathAndQuery.substring(q + 1));
    if (params == null) {
      return text(400, "malformed query");
    }
    String op = params.get("op");
    String sig = params.get("sig");
    Long exp = parseLong(params.get("exp"));
    if (op == null || sig == null || exp == null) {
      return text(403, "missing signature");
    }
    if ("put".equals(op)) {
      if (!method.equals("PUT")) {
        return new Response(405, Map.of("Allow", "PUT"), 0, empty());
      }
      return put(key, params, exp, sig, headers, body);
    }
    if ("get".equals(op)) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        return new Response(405, Map.of("Allow", "GET, HEAD"), 0, empty());
      }
      return get(key, exp, sig, method.equals("HEAD"));
    }
    return text(403, "unknown operation");
  }

  private Response put(
      String key,
      Map<String, String> params,
      long exp,
      String sig,
      Map<String, List<String>> headers,
      InputStream body)
      throws IOException {
    String owner = params.get("owner");
    String contentType = params.get("ct");
    Long len = parseLong(params.get("len"));
    if (owner == null
        || contentType == null
        || len == null
        || !store.verifyPut(key, owner, contentType, len, exp, sig)) {
      return text(403, "signature does not match");
    }
    if (store.expired(exp)) {
      return text(403, "upload URL expired");
    }
    if (store.complete(key)) {
      return text(
          409, "media object " + key + " is complete; a finished object cannot be replaced");
    }
    String declared = header(headers, "Content-Length");
    if (declared != null) {
      Long declaredLength = parseLong(declared);
      if (declaredLength == null) {
        return text(400, "malformed Content-Length");
      }
      if (declaredLength > len) {
        return text(413, "body larger than the granted " + len + " bytes");
      }
      if (declaredLength < len) {
        return text(400, "body must be exactly the granted " + len + " bytes");
      }
    }
    long stored = store.store(key, UserId.of(owner), contentType, len, body);
    if (stored == -1) {
      return text(413, "body larger than the granted " + len + " bytes");
    }
    if (stored == -3) {
      return text(400, "the upload broke off");
    }
    if (stored == -2) {
      return text(400, "body must be exactly the granted " + len + " bytes");
    }
    if (stored == -4) {
      return text(
          409, "media object " + key + " is complete; a finished object cannot be replaced");
    }
    return new Response(200, Map.of(), 0, empty());
  }

  private Response get(String key, long exp, String sig, boolean head) throws IOException {
    if (!store.verifyGet(key, exp, sig)) {
      return text(403, "signature does not match");
    }
    if (store.expired(exp)) {
      return text(403, "download URL expired");
    }
    MediaObject object = store.read(key);
    InputStream in = object == null ? null : store.open(key);
    if (object == null || in == null) {
      return text(404, "no such media object");
    }
    Map<String, String> h = new LinkedHashMap<>();
    // never the declared type: an uploaded blob must not render as a page on this origin
    h.put("Content-Type", "application/octet-stream");
    h.put("Content-Disposition", "attachment");
    h.put("X-Content-Type-Options", "nosniff");
    h.put("Cache-Control", "private, max-age=0");
    if (head) {
      in.close();
      in = empty();
    }
    return new Response(200, h, object.sizeBytes(), in);
  }

  private static @Nullable Map<String, String> parseQuery(String query) {
    Map<String, String> params = new HashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (params.put(name, value) != null) {
          return null;
        }
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return params;
  }

  private static @Nullable Long parseLong(@Nullable String s) {
    if (s == null || s.isEmpty() || s.length() > 19) {
      return null;
    }
    try {
      long v = Long.parseLong(s);
      return v < 0 ? null : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static @Nullable String header(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private static String redact(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q) + "?...";
  }

  private static InputStream empty() {
    return InputStream.nullInputStream();
  }

  private static Response text(int status, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return new Response(
        status,
        Map.of("Content-Type", "text/plain; charset=utf-8"),
        bytes.length,
        new ByteArrayInputStream(bytes));
  }
}
