package io.messagingkit.transport.websocket.jetty;

import io.messagingkit.core.memory.LocalMediaHttpHandler;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Serves a {@code LocalFolderMediaStore}'s presigned URLs (PUT/GET/HEAD) from Jetty. */
final class LocalMediaServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient LocalMediaHttpHandler handler;

  LocalMediaServlet(LocalMediaHttpHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : Collections.list(req.getHeaderNames())) {
      headers.put(name, Collections.list(req.getHeaders(name)));
    }
    String pathAndQuery =
        req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
    try (InputStream in = req.getInputStream();
        LocalMediaHttpHandler.Response r =
            handler.handle(req.getMethod(), pathAndQuery, headers, in)) {
      resp.setStatus(r.status());
      r.headers().forEach(resp::setHeader);
      resp.setContentLengthLong(r.contentLength());
      if (!"HEAD".equalsIgnoreCase(req.getMethod())) {
        try (OutputStream out = resp.getOutputStream()) {
          r.body().transferTo(out);
        }
      }
    }
  }
}
