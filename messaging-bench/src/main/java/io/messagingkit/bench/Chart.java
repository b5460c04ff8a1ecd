package io.messagingkit.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;

/**
 * Draws a run as a PNG with plain Java2D: the latency distribution (latency by percentile, on a
 * 1/(1-p) axis from p0 to p99.99) on the left, throughput per second on the right.
 */
final class Chart {
  private static final int W = 1080;
  private static final int H = 380;
  private static final int PANEL = 460;
  private static final double[] PERCENTILES = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

  private Chart() {}

  static void write(Path file, String title, RunResult r) throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(title, 20, 22);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      latencyPanel(g, 50, 50, r.latency());
      throughputPanel(g, 50 + PANEL + 90, 50, r);
    } finally {
      g.dispose();
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ImageIO.write(img, "png", file.toFile());
  }

  /** x position of a percentile on the 1/(1-p) log axis, 0..1. */
  static double percentileX(double percentile) {
    double max = Math.log10(1 / (1 - 99.99 / 100));
    double p = Math.min(percentile, 99.99) / 100;
    return Math.log10(1 / (1 - p)) / max;
  }

  private static void latencyPanel(Graphics2D g, int x0, int y0, Histogram h) {
    int w = PANEL;
    int ph = H - y0 - 50;
    axes(g, x0, y0, w, ph, "latency (ms) by percentile");
    if (h.getTotalCount() == 0) {
      g.drawString("no samples", x0 + 10, y0 + 20);
      return;
    }
    double maxMs = Math.max(0.001, h.getValueAtPercentile(99.99) / 1000.0);
    for (double p : PERCENTILES) {
      int x = x0 + (int) (percentileX(p) * w);
      g.setColor(Color.LIGHT_GRAY);
      g.drawLine(x, y0, x, y0 + ph);
      g.setColor(Color.DARK_GRAY);
      g.drawString(p == 0 ? "0" : trim(p), x - 8, y0 + ph + 14);
    }
    yTicks(g, x0, y0, ph, maxMs);
    g.setColor(new Color(0x1f77b4));
    g.setStroke(new BasicStroke(2f));
    int prevX = -1;
    int prevY = -1;
    for (int i = 0; i <= 400; i++) {
      double p = 99.99 * (1 - Math.pow(1 - i / 400.0, 3));
      double v = h.getValueAtPercentile(p) / 1000.0;
      int x = x0 + (int) (percentileX(p) * w);
      int y = y0 + ph - (int) (Math.min(1, v / maxMs) * ph);
      if (prevX >= 0) {
        g.drawLine(prevX, prevY, x, y);
      }
      prevX = x;
      prevY = y;
    }
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.BLACK);
    g.drawString("percentile", x0 + w / 2 - 20, y0 + ph + 30);
  }

  private static void throughputPanel(Graphics2D g, int x0, int y0, RunResult r) {
    int w = PANEL;
    int ph = H - y0 - 50;
    long[] t = r.timeline();
    axes(
        g,
        x0,
        y0,
        w,
        ph,
        (r.scenario().equals("churn") ? "sessions" : "deliveries") + " per second");
    if (t.length == 0) {
      return;
    }
    long max = 1;
    for (long v : t) {
      max = Math.max(max, v);
    }
    yTicks(g, x0, y0, ph, max);
    g.setColor(new Color(0xd62728));
    g.setStroke(new BasicStroke(2f));
    for (int i = 0; i < t.length; i++) {
      int x = x0 + (int) ((i + 0.5) * w / t.length);
      int y = y0 + ph - (int) ((double) t[i] / max * ph);
      if (i > 0) {
        int px = x0 + (int) ((i - 0.5) * w / t.length);
        int py = y0 + ph - (int) ((double) t[i - 1] / max * ph);
        g.drawLine(px, py, x, y);
      }
    }
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.BLACK);
    g.drawString(
        "second of the measured interval (" + t.length + " s)", x0 + w / 2 - 90, y0 + ph + 30);
  }

  private static void axes(Graphics2D g, int x0, int y0, int w, int h, String title) {
    g.setColor(Color.BLACK);
    g.drawRect(x0, y0, w, h);
    g.drawString(title, x0, y0 - 6);
  }

  private static void yTicks(Graphics2D g, int x0, int y0, int h, double max) {
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      int y = y0 + h - (int) (h * i / 4.0);
      g.setColor(Color.LIGHT_GRAY);
      g.drawLine(x0, y, x0 + PANEL, y);
      g.setColor(Color.DARK_GRAY);
      g.setColor(Color.DARK_GRAY);
      g.drawString(label(v), x0 - 45, y + 4);
    }
  }

  private static String label(double v) {
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String trim(double p) {
    return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
  }
}
