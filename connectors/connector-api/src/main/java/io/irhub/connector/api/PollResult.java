package io.irhub.connector.api;

import java.util.List;

/**
 * One poll's signals and the checkpoint to resume from. The checkpoint is opaque to the hub (a timestamp, a cursor).
 * When a poll returns a full page, {@code more} asks the hub to poll again at once.
 */
public record PollResult(List<Signal> signals, String nextCheckpoint, boolean more) {
    public PollResult {
        signals = List.copyOf(signals);
    }
}
