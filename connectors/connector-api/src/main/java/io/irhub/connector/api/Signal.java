package io.irhub.connector.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A detection, normalized. A source connector makes one from a vendor's payload; the hub stores it
 * before it answers the source.
 *
 * @param sourceInstance the configured source instance that received it ({@code splunk-prod})
 * @param sourceType     the connector id of that instance ({@code splunk})
 * @param dedupeKey      unique per source instance for one detection; the same alert delivered twice has the same key
 * @param detection      the detection's name (a saved search, an analytics rule, a Falcon tactic)
 * @param severity       normalized severity
 * @param detectedAt     when the source says it detected it
 * @param identities     the identities involved, at least one
 * @param link           a link back to the detection in the source, or {@code null}
 * @param rawPayload     the payload exactly as received, kept as evidence
 */
public record Signal(String sourceInstance, String sourceType, String dedupeKey, String detection,
                     Severity severity, Instant detectedAt, List<Identity> identities, String link,
                     String rawPayload) {

    public Signal {
        Objects.requireNonNull(sourceInstance, "sourceInstance");
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(rawPayload, "rawPayload");
        identities = List.copyOf(identities);
        detection = detection == null ? "" : detection;
    }
}
