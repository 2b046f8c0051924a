package io.irhub.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The latency plot, with Java2D only: fixed-rate latencies over time, their percentile spectrum, full-speed rates. */
final class Plot {
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color ORANGE = new Color(255, 127, 14);
    private static final Color GREEN = new Color(44, 160, 44);
    private static final Color RED = new Color(214, 39, 40);
    private static final Color PURPLE = new Color(148, 103, 189);
    private static final Color GREY = new Color(120, 120, 120);

    private Plot() {
    }

    record Series(String label, Color color, double[] values) {
    }

    static void write(Path file, String title, PhaseRun fixed, double rate, double targetMs,
                      Map<String, long[]> fullPerSecond, long[] fullConfirmedPerSecond, double baselinePerSecond,
                      double hubPerSecond) throws IOException {
        int w = 1600;
        int h = 1100;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        g.drawString(title, 30, 34);

        scatter(g, 90, 90, 680, 400, fixed, rate, targetMs);
        spectrum(g, 880, 90, 680, 400, fixed, targetMs);
        rates(g, 90, 600, 1470, 420, fullPerSecond, fullConfirmedPerSecond, baselinePerSecond, hubPerSecond);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** Each signal's detection-to-containment latency (from its due time) against when it was due; log y. */
    private static void scatter(Graphics2D g, int x, int y, int w, int h, PhaseRun run, double rate, double targetMs) {
        double seconds = run.signals / rate;
        double maxMs = 1;
        for (int i = 0; i < run.signals; i++) {
            if (run.confirmed[i] > 0) {
                maxMs = Math.max(maxMs, (run.confirmed[i] - run.due[i]) / 1e6);
            }
        }
        double lo = 1;
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(maxMs, targetMs) * 1.2)));
        title(g, x, y, "Fixed rate " + fmt(rate) + " signals/s: detection-to-containment per signal (ms, log)");
        axes(g, x, y, w, h);
        for (double v = lo; v <= hi * 1.001; v *= 10) {
            int py = (int) logY(v, lo, hi, y, h);
            gridY(g, x, w, py, fmt(v));
        }
        int ticks = 6;
        for (int k = 0; k <= ticks; k++) {
            double s = seconds * k / ticks;
            int px = (int) (x + w * k / (double) ticks);
            gridX(g, y, h, px, fmt(s) + " s");
        }
        g.setColor(new Color(31, 119, 180, 110));
        for (int i = 0; i < run.signals; i++) {
            if (run.confirmed[i] <= 0) {
                continue;
            }
            double t = (run.due[i] - run.startNanos) / 1e9;
            double ms = Math.max(lo, (run.confirmed[i] - run.due[i]) / 1e6);
            int px = (int) (x + w * t / seconds);
            int py = (int) logY(ms, lo, hi, y, h);
            g.fillRect(px - 1, py - 1, 3, 3);
        }
        hline(g, x, w, (int) logY(targetMs, lo, hi, y, h), RED, "target p99 < " + fmt(targetMs) + " ms");
        double p99 = run.containment.getValueAtPercentile(99) / 1000.0;
        double p50 = run.containment.getValueAtPercentile(50) / 1000.0;
        hline(g, x, w, (int) logY(Math.max(lo, p99), lo, hi, y, h), ORANGE, "p99 " + fmt(p99) + " ms");
        hline(g, x, w, (int) logY(Math.max(lo, p50), lo, hi, y, h), GREEN, "p50 " + fmt(p50) + " ms");
        label(g, x + w / 2 - 60, y + h + 40, "scheduled send time");
    }

    /** Latency by percentile (HdrHistogram), x on the usual 1/(1-p) log scale. */
    private static void spectrum(Graphics2D g, int x, int y, int w, int h, PhaseRun run, double targetMs) {
        title(g, x, y, "Latency by percentile, from the scheduled send time (ms)");
        axes(g, x, y, w, h);
        double maxX = 100000; // 99.999 %
        double maxMs = Math.max(targetMs, run.containment.getMaxValue() / 1000.0) * 1.1;
        double niceMax = nice(maxMs);
        for (int k = 0; k <= 5; k++) {
            double v = niceMax * k / 5;
            gridY(g, x, w, (int) (y + h - h * v / niceMax), fmt(v));
        }
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int k = 0; k < labels.length; k++) {
            double px = x + w * k / Math.log10(maxX);
            gridX(g, y, h, (int) px, labels[k]);
        }
        curve(g, x, y, w, h, run.containment, maxX, niceMax, BLUE);
        curve(g, x, y, w, h, run.acceptance, maxX, niceMax, PURPLE);
        hline(g, x, w, (int) (y + h - h * targetMs / niceMax), RED, "target " + fmt(targetMs) + " ms");
        legend(g, x + 20, y + 20, List.of(
                new Series("scheduled send -> suspend answered (containment)", BLUE, null),
                new Series("scheduled send -> 202 accepted", PURPLE, null)));
        label(g, x + w / 2 - 30, y + h + 40, "percentile");
    }

    private static void curve(Graphics2D g, int x, int y, int w, int h, Histogram hist, double maxX, double maxMs, Color c) {
        if (hist.getTotalCount() == 0) {
            return;
        }
        Path2D path = new Path2D.Double();
        boolean started = false;
        for (HistogramIterationValue v : hist.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            double xv = p >= 1 ? maxX : Math.min(maxX, 1 / (1 - p));
            double px = x + w * Math.log10(xv) / Math.log10(maxX);
            double py = y + h - h * Math.min(1, (v.getValueIteratedTo() / 1000.0) / maxMs);
            if (!started) {
                path.moveTo(px, py);
                started = true;
            } else {
                path.lineTo(px, py);
            }
        }
        g.setColor(c);
        g.setStroke(new BasicStroke(2.5f));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
    }

    /** Full speed: per-second stage rates from the store and the stand-in, with the baseline's mean. */
    private static void rates(Graphics2D g, int x, int y, int w, int h, Map<String, long[]> perSecond, long[] confirmed,
                              double baseline, double hubMean) {
        title(g, x, y, "Full speed: signals per second through each stage (hub), and the plain-JDBC baseline's mean");
        axes(g, x, y, w, h);
        List<Series> series = new ArrayList<>();
        Color[] colors = {PURPLE, ORANGE, GREEN};
        int k = 0;
        int seconds = 1;
        for (Map.Entry<String, long[]> e : perSecond.entrySet()) {
            series.add(new Series(e.getKey() + " (store)", colors[k++ % colors.length], toDouble(e.getValue())));
            seconds = Math.max(seconds, lastNonZero(e.getValue()) + 1);
        }
        series.add(new Series("suspend answered (stand-in)", BLUE, toDouble(confirmed)));
        seconds = Math.max(seconds, lastNonZero(confirmed) + 1);
        double max = Math.max(baseline, 1);
        for (Series s : series) {
            for (int i = 0; i < Math.min(seconds, s.values.length); i++) {
                max = Math.max(max, s.values[i]);
            }
        }
        double niceMax = nice(max * 1.1);
        for (int i = 0; i <= 5; i++) {
            double v = niceMax * i / 5;
            gridY(g, x, w, (int) (y + h - h * v / niceMax), fmt(v));
        }
        int step = Math.max(1, seconds / 12);
        for (int s = 0; s <= seconds; s += step) {
            gridX(g, y, h, (int) (x + w * s / (double) seconds), s + " s");
        }
        for (Series s : series) {
            Path2D path = new Path2D.Double();
            for (int i = 0; i < Math.min(seconds, s.values.length); i++) {
                double px = x + w * (i + 0.5) / seconds;
                double py = y + h - h * s.values[i] / niceMax;
                if (i == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
            }
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2.2f));
            g.draw(path);
        }
        g.setStroke(new BasicStroke(1f));
        if (baseline > 0) {
            hline(g, x, w, (int) (y + h - h * baseline / niceMax), GREY, "baseline mean " + fmt(baseline) + "/s");
        }
        if (hubMean > 0) {
            hline(g, x, w, (int) (y + h - h * hubMean / niceMax), RED, "hub end-to-end mean " + fmt(hubMean) + "/s");
        }
        legend(g, x + w - 330, y + 20, series);
        label(g, x + w / 2 - 80, y + h + 40, "seconds since the first signal was sent");
    }

    private static double[] toDouble(long[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static int lastNonZero(long[] v) {
        for (int i = v.length - 1; i >= 0; i--) {
            if (v[i] != 0) {
                return i;
            }
        }
        return 0;
    }

    private static double logY(double v, double lo, double hi, int y, int h) {
        double f = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return y + h - h * Math.min(1, f);
    }

    private static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static void title(Graphics2D g, int x, int y, String t) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(t, x, y - 14);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    private static void axes(Graphics2D g, int x, int y, int w, int h) {
        g.setColor(Color.BLACK);
        g.drawRect(x, y, w, h);
    }

    private static void gridY(Graphics2D g, int x, int w, int py, String label) {
        g.setColor(GRID);
        g.draw(new Line2D.Double(x + 1, py, x + w - 1, py));
        g.setColor(Color.DARK_GRAY);
        g.drawString(label, x - 8 - g.getFontMetrics().stringWidth(label), py + 4);
    }

    private static void gridX(Graphics2D g, int y, int h, int px, String label) {
        g.setColor(GRID);
        g.draw(new Line2D.Double(px, y + 1, px, y + h - 1));
        g.setColor(Color.DARK_GRAY);
        g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, y + h + 18);
    }

    private static void hline(Graphics2D g, int x, int w, int py, Color c, String label) {
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 4}, 0));
        g.draw(new Line2D.Double(x, py, x + w, py));
        g.setStroke(new BasicStroke(1f));
        g.drawString(label, x + w - g.getFontMetrics().stringWidth(label) - 6, py - 4);
    }

    private static void legend(Graphics2D g, int x, int y, List<Series> series) {
        int lh = 18;
        int width = 0;
        for (Series s : series) {
            width = Math.max(width, g.getFontMetrics().stringWidth(s.label));
        }
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x - 6, y - 14, width + 40, lh * series.size() + 8);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x - 6, y - 14, width + 40, lh * series.size() + 8);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(s.color);
            g.fillRect(x, y - 8 + i * lh, 20, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.label, x + 26, y - 2 + i * lh);
        }
    }

    private static void label(Graphics2D g, int x, int y, String t) {
        g.setColor(Color.BLACK);
        g.drawString(t, x, y);
    }

    static String fmt(double v) {
        if (v >= 100 || v == Math.rint(v)) {
            return String.format("%,.0f", v);
        }
        if (v >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }
}
