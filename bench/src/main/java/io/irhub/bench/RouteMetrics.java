package io.irhub.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's own per-route timers ({@code camel_route_policy_seconds_sum/count} on /observe/metrics): how busy each
 * route's consumers were over a window. A route with one consumer busy ~100 % of the window is a serial bottleneck.
 */
final class RouteMetrics {
    private static final Pattern LINE = Pattern.compile(
            "^camel_route_policy_seconds_(sum|count)\\{[^}]*routeId=\"([^\"]+)\"[^}]*\\}\\s+([0-9.eE+-]+)");

    record Snapshot(long nanos, Map<String, double[]> routes) {
    }

    private RouteMetrics() {
    }

    static Snapshot scrape(String url) {
        Map<String, double[]> routes = new HashMap<>();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    double[] v = routes.computeIfAbsent(m.group(2), k -> new double[2]);
                    v[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(3));
                }
            }
        } catch (Exception e) {
            // metrics are a bonus
        }
        return new Snapshot(System.nanoTime(), routes);
    }

    /**
     * Per route over [a, b]: exchanges, mean ms per exchange, and busy = summed exchange time / window (in consumer
     * threads: 1.0 = one thread busy all the time).
     */
    static Map<String, Object> delta(Snapshot a, Snapshot b) {
        double window = (b.nanos() - a.nanos()) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        b.routes().entrySet().stream()
                .map(e -> {
                    double[] before = a.routes().getOrDefault(e.getKey(), new double[2]);
                    return Map.entry(e.getKey(), new double[]{e.getValue()[0] - before[0], e.getValue()[1] - before[1]});
                })
                .filter(e -> e.getValue()[1] > 0)
                .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
                .forEach(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("exchanges", (long) e.getValue()[1]);
                    m.put("mean_ms", ProcSampler.round(1000 * e.getValue()[0] / e.getValue()[1], 2));
                    m.put("busy_threads", ProcSampler.round(e.getValue()[0] / window, 2));
                    out.put(e.getKey(), m);
                });
        return out;
    }
}
