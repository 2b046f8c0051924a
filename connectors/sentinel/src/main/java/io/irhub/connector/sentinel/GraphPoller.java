package io.irhub.connector.sentinel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.PollResult;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pulls the incidents updated since the checkpoint from Microsoft Graph:
 * {@code GET /v1.0/security/incidents?$expand=alerts&$filter=lastUpdateDateTime gt {checkpoint}
 * &$orderby=lastUpdateDateTime asc&$top=50}, one page per poll, following {@code @odata.nextLink} with
 * {@link PollResult#more()} set.
 *
 * <p>The checkpoint is the latest {@code lastUpdateDateTime} seen, exactly as Graph wrote it. While a query's pages
 * are being followed it is a small JSON object instead, {@code {"from", "seen", "next"}}: the query's lower bound,
 * the latest update seen so far and the next page's link. The first poll looks back {@code poll-lookback}.
 */
final class GraphPoller implements Poller {
    static final int PAGE_SIZE = 50;
    static final String INCIDENTS_PATH = "/v1.0/security/incidents";
    private static final Logger LOG = LoggerFactory.getLogger(GraphPoller.class);

    private final String instance;
    private final SentinelConfig.Graph config;
    private final SentinelPayloads payloads;
    private final GraphClient client;
    private final Clock clock;

    GraphPoller(String instance, SentinelConfig.Graph config, SentinelPayloads payloads, GraphClient client,
                Clock clock) {
        this.instance = instance;
        this.config = config;
        this.payloads = payloads;
        this.client = client;
        this.clock = clock;
    }

    @Override
    public Duration interval() {
        return config.pollInterval();
    }

    @Override
    public PollResult poll(String checkpoint) throws PollException {
        Checkpoint at = checkpoint == null
                ? Checkpoint.at(DateTimeFormatter.ISO_INSTANT.format(
                        clock.instant().minus(config.pollLookback()).truncatedTo(ChronoUnit.SECONDS)))
                : Checkpoint.read(checkpoint);
        JsonNode page;
        if (at.next() == null) {
            page = client.get(firstPage(at.from()));
        } else {
            try {
                page = client.get(sameOrigin(at.next()));
            } catch (GraphClient.Refused e) {
                if (e.status() != 400 && e.status() != 410) {
                    throw e;
                }
                // a page link does not live for ever: ask the query again; dedupe absorbs what repeats
                LOG.info("{}: Graph refused a stored page link (HTTP {}); querying again from {}", instance,
                        e.status(), at.from());
                page = client.get(firstPage(at.from()));
            }
        }
        JsonNode value = page.get("value");
        if (value == null || !value.isArray()) {
            throw new PollException("Microsoft Graph's answer to GET " + INCIDENTS_PATH + " has no value array");
        }
        List<Signal> signals = new ArrayList<>();
        String seen = at.seen();
        for (JsonNode incident : value) {
            seen = later(seen, incident.path("lastUpdateDateTime").asText(""));
            try {
                payloads.graphIncident(incident).ifPresentOrElse(signals::add, () -> LOG.debug(
                        "{}: incident {} has no user evidence", instance, incident.path("id").asText("?")));
            } catch (InvalidPayloadException e) {
                // one unreadable incident must not stop the poller for good
                LOG.warn("{}: skipped Graph incident {}: {}", instance, incident.path("id").asText("?"),
                        e.getMessage());
            }
        }
        String next = page.path("@odata.nextLink").asText("");
        LOG.debug("{}: {} incidents, {} signals, {}", instance, value.size(), signals.size(),
                next.isBlank() ? "last page" : "more pages");
        if (!next.isBlank()) {
            sameOrigin(next);
            return new PollResult(signals, new Checkpoint(at.from(), seen, next).write(), true);
        }
        return new PollResult(signals, seen, false);
    }

    URI firstPage(String since) {
        return URI.create(config.graphBaseUrl() + INCIDENTS_PATH
                + "?$expand=alerts"
                + "&$filter=" + query("lastUpdateDateTime gt " + since)
                + "&$orderby=" + query("lastUpdateDateTime asc")
                + "&$top=" + PAGE_SIZE);
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The page link, if it points at the configured Graph: the access token goes nowhere else. */
    private URI sameOrigin(String link) throws PollException {
        URI uri;
        try {
            uri = URI.create(link);
        } catch (IllegalArgumentException e) {
            throw new PollException("Microsoft Graph's @odata.nextLink is not a URL");
        }
        URI graph = config.graphBaseUrl();
        if (!graph.getScheme().equalsIgnoreCase(String.valueOf(uri.getScheme()))
                || !graph.getHost().equalsIgnoreCase(String.valueOf(uri.getHost()))
                || port(graph) != port(uri)) {
            throw new PollException("Microsoft Graph's @odata.nextLink points at " + uri.getScheme() + "://"
                    + uri.getHost() + ", not at graph-base-url; not following it");
        }
        return uri;
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The later of two Graph times, each kept as written; an unreadable candidate is ignored. */
    private static String later(String current, String candidate) {
        Optional<Instant> c = instant(candidate);
        return c.isPresent() && c.get().isAfter(instant(current).orElse(Instant.MIN)) ? candidate : current;
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Where a poll resumes.
     *
     * @param from the lower bound of the query being paged through
     * @param seen the latest {@code lastUpdateDateTime} seen
     * @param next the next page's link, or {@code null} when no query is being paged through
     */
    record Checkpoint(String from, String seen, String next) {

        static Checkpoint at(String time) {
            return new Checkpoint(time, time, null);
        }

        /** @throws PollException when the text is not a checkpoint this poller wrote */
        static Checkpoint read(String text) throws PollException {
            if (text.startsWith("{")) {
                try {
                    JsonNode node = SentinelPayloads.JSON.readTree(text);
                    Checkpoint cp = new Checkpoint(node.path("from").asText(""), node.path("seen").asText(""),
                            node.path("next").asText(""));
                    if (instant(cp.from()).isPresent() && instant(cp.seen()).isPresent() && !cp.next().isBlank()) {
                        return cp;
                    }
                } catch (JsonProcessingException e) {
                    // reported below
                }
            } else if (instant(text).isPresent()) {
                // the time goes into $filter unquoted, so only a time that parses is used
                return at(text);
            }
            throw new PollException("the stored checkpoint is not one this poller writes (an ISO-8601 time, or "
                    + "{from, seen, next} while paging); clear it to start again from poll-lookback");
        }

        String write() {
            if (next == null) {
                return seen;
            }
            ObjectNode node = SentinelPayloads.JSON.createObjectNode();
            node.put("from", from).put("seen", seen).put("next", next);
            return node.toString();
        }
    }
}
