package io.irhub.connector.crowdstrike;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.irhub.connector.api.InvalidPayloadException;
import io.irhub.connector.api.PollException;
import io.irhub.connector.api.PollResult;
import io.irhub.connector.api.Poller;
import io.irhub.connector.api.Signal;
import io.irhub.connector.crowdstrike.CrowdStrikeConfig.Poll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls alerts from the Alerts API v2, oldest change first: ids from {@code GET /alerts/queries/alerts/v2} filtered
 * on {@code updated_timestamp} and sorted {@code updated_timestamp|asc}, then the alerts from
 * {@code POST /alerts/entities/alerts/v2}.
 *
 * <p>The checkpoint is {@code <millisecond>#<seen>}: the {@code updated_timestamp} (to the millisecond) of the newest
 * alerts returned so far, and how many returned alerts carry that millisecond. The next poll asks for
 * {@code updated_timestamp:>='<millisecond>'} from offset {@code <seen>}, so alerts that share a timestamp across a
 * page boundary are neither lost nor re-read, and the offset stays small. An alert changed again later is read
 * again; its composite id, the dedupe key, makes it a duplicate.
 */
final class FalconPoller implements Poller {
    private static final Logger LOG = LoggerFactory.getLogger(FalconPoller.class);

    static final String SORT = "updated_timestamp|asc";
    // PostEntitiesAlertsV2 takes up to 1000 composite ids per request
    static final int ENTITIES_BATCH = 1000;
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern CHECKPOINT = Pattern.compile("([^#]+)(?:#(\\d{1,9}))?");

    /** Where the next poll resumes: alerts updated at or after {@code since}, the first {@code seen} of them skipped. */
    record Cursor(Instant since, int seen) {
        static Cursor parse(String checkpoint) throws PollException {
            Matcher m = CHECKPOINT.matcher(checkpoint.trim());
            try {
                if (m.matches()) {
                    return new Cursor(Instant.parse(m.group(1)).truncatedTo(ChronoUnit.MILLIS),
                            m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
                }
            } catch (DateTimeException | NumberFormatException e) {
                // reported below
            }
            throw new PollException("the stored checkpoint is not <updated_timestamp>[#<seen>] (e.g. "
                    + "2024-06-01T12:00:00.000Z#2); clear it to start again from poll-lookback");
        }

        String format() {
            return MILLIS.format(since) + (seen == 0 ? "" : "#" + seen);
        }
    }

    private final String instance;
    private final Poll settings;
    private final FalconClient client;
    private final Clock clock;

    FalconPoller(String instance, Poll settings, FalconClient client, Clock clock) {
        this.instance = instance;
        this.settings = settings;
        this.client = client;
        this.clock = clock;
    }

    @Override
    public Duration interval() {
        return settings.interval();
    }

    @Override
    public PollResult poll(String checkpoint) throws PollException {
        Instant now = clock.instant();
        Cursor cursor = checkpoint == null || checkpoint.isBlank()
                ? new Cursor(now.minus(settings.lookback()).truncatedTo(ChronoUnit.MILLIS), 0)
                : Cursor.parse(checkpoint);
        List<String> ids = client.alertIds(filter(cursor.since()), SORT, cursor.seen(), settings.pageSize());
        if (ids.isEmpty()) {
            return new PollResult(List.of(), cursor.format(), false);
        }
        Map<String, Fetched> alerts = fetch(ids);
        List<Signal> signals = new ArrayList<>();
        int refused = 0;
        Instant newest = cursor.since();
        int atNewest = 0;
        for (String id : ids) {
            Fetched alert = alerts.get(id);
            if (alert == null) {
                // hidden or deleted between the two calls
                LOG.debug("crowdstrike {}: alert {} listed but not returned", instance, id);
                continue;
            }
            Instant updated = updatedAt(alert.tree());
            if (updated != null) {
                Instant millisecond = updated.truncatedTo(ChronoUnit.MILLIS);
                if (millisecond.isAfter(newest)) {
                    newest = millisecond;
                    atNewest = 1;
                } else if (millisecond.equals(newest)) {
                    atNewest++;
                }
            }
            try {
                signals.add(FalconPayloads.fromAlert(instance, alert.raw(), now));
            } catch (InvalidPayloadException e) {
                // alerts about hosts or cloud resources name no user: nothing for the hub to act on
                refused++;
                LOG.debug("crowdstrike {}: not a signal: {}", instance, e.getMessage());
            }
        }
        Cursor next = newest.equals(cursor.since())
                // every alert of the page shares the cursor's millisecond (or none told its time): skip past them all
                ? new Cursor(cursor.since(), cursor.seen() + ids.size())
                : new Cursor(newest, atNewest);
        boolean more = ids.size() >= settings.pageSize();
        LOG.debug("crowdstrike {}: polled {} alerts since {} ({} signals, {} not signals), next {}{}", instance,
                ids.size(), cursor.format(), signals.size(), refused, next.format(), more ? ", more to come" : "");
        return new PollResult(signals, next.format(), more);
    }

    /** {@code updated_timestamp:>='<since>'}, ANDed with the configured filter. */
    String filter(Instant since) {
        String checkpoint = "updated_timestamp:>='" + MILLIS.format(since) + "'";
        return settings.filter() == null ? checkpoint : checkpoint + "+(" + settings.filter() + ")";
    }

    /** One alert as CrowdStrike spelled it, and parsed. */
    private record Fetched(String raw, JsonNode tree) {
    }

    private Map<String, Fetched> fetch(List<String> ids) throws PollException {
        Map<String, Fetched> byId = new LinkedHashMap<>();
        for (int from = 0; from < ids.size(); from += ENTITIES_BATCH) {
            for (String raw : client.alerts(ids.subList(from, Math.min(ids.size(), from + ENTITIES_BATCH)))) {
                JsonNode tree = tree(raw);
                if (tree.path("composite_id").isTextual()) {
                    byId.put(tree.path("composite_id").textValue(), new Fetched(raw, tree));
                }
            }
        }
        return byId;
    }

    private static Instant updatedAt(JsonNode alert) {
        JsonNode updated = alert.path("updated_timestamp");
        if (!updated.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(updated.textValue());
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static JsonNode tree(String alert) {
        try {
            return FalconPayloads.JSON.readTree(alert);
        } catch (JsonProcessingException e) {
            // rawResources cut it out of an answer that parsed as a whole
            throw new IllegalStateException("an alert of a parsed answer does not parse", e);
        }
    }
}
