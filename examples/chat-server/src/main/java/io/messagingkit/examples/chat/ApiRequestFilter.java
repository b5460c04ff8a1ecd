package io.messagingkit.examples.chat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * What every request to {@code /api/*} must satisfy before a servlet reads it:
 *
 * <ul>
 *   <li>a body of at most {@code maxBodyBytes}, declared with {@code Content-Length}: a longer
 *       declared body is refused with 413 before any of it is read, a body without a length
 *       (chunked) with 411;
 *   <li>for a state-changing request (anything but GET, HEAD, OPTIONS): a JSON body ({@code
 *       Content-Type: application/json}, else 415), so a foreign page cannot send it as a "simple"
 *       cross-origin request without a CORS preflight that this server never grants; and, when the
 *       browser names the page's origin ({@code Origin}), one of the server's own origins, else 403
 *       (as is a {@code Sec-Fetch-Site: cross-site} request). Clients that are not browsers send no
 *       {@code Origin} and are not affected.
 * </ul>
 *
 * Refusals are JSON {@code {"error": "..."}} like the API's own.
 */
final class ApiRequestFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final long maxBodyBytes;
  private final transient Set<String> allowedOrigins;

  ApiRequestFilter(long maxBodyBytes, Set<String> allowedOrigins) {
    this.maxBodyBytes = maxBodyBytes;
    this.allowedOrigins = Set.copyOf(allowedOrigins);
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    long length = req.getContentLengthLong();
    if (length > maxBodyBytes) {
      refuse(resp, 413, "the body may be at most " + maxBodyBytes + " bytes");
      return;
    }
    if (length < 0 && req.getHeader("Transfer-Encoding") != null) {
      refuse(resp, 411, "send the body with a Content-Length");
      return;
    }
    if (!SAFE_METHODS.contains(req.getMethod())) {
      String origin = req.getHeader("Origin");
      if (origin != null && !allowedOrigins.contains(origin)
          || "cross-site".equals(req.getHeader("Sec-Fetch-Site"))) {
        refuse(resp, 403, "requests from other sites are not accepted");
        return;
      }
      String type = req.getContentType();
      if (type == null
          || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].strip().equals("application/json")) {
        refuse(resp, 415, "the body must be application/json");
        return;
      }
    }
    chain.doFilter(req, resp);
  }

  private static void refuse(HttpServletResponse resp, int status, String message)
      throws IOException {
    resp.setHeader("Connection", "close"); // an unread body must not be parsed as a next request
    ApiServlet.error(resp, status, message);
  }
}
