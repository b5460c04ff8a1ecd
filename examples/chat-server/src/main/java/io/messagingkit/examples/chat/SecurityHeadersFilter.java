package io.messagingkit.examples.chat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Security headers on every response of the example (page, API, media, errors, the WebSocket
 * upgrade): a Content-Security-Policy that allows only the page's own files (no inline script or
 * style, no framing), {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer}
 * and, for browsers without {@code frame-ancestors}, {@code X-Frame-Options: DENY}.
 */
final class SecurityHeadersFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /**
   * The page's policy: scripts, styles, images and connections from its own origin only ({@code
   * 'self'} covers the WebSocket on the same host and port); {@code blob:} for the pictures the
   * page decrypts itself; the service worker from its own origin; nothing may frame it.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:;"
          + " connect-src 'self' blob:; worker-src 'self'; manifest-src 'self';"
          + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    resp.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("Referrer-Policy", "no-referrer");
    resp.setHeader("X-Frame-Options", "DENY");
    chain.doFilter(req, resp);
  }
}
