package io.irhub.connector.api;

import java.time.Duration;

/**
 * The pull side of a source (Microsoft Graph incidents, CrowdStrike alerts). The hub calls {@link #poll} every
 * {@link #interval()} with the checkpoint it stored after the previous poll, stores the returned signals (deduped as
 * any delivery), and only then stores the new checkpoint in PostgreSQL, so a crash repeats a poll rather than
 * losing one. A failed poll is audited and retried with back-off.
 */
public interface Poller {

    Duration interval();

    /**
     * Fetches what is new since {@code checkpoint}.
     *
     * @param checkpoint what the previous poll returned as {@link PollResult#nextCheckpoint()}, or {@code null} on the
     *                   first poll (the poller decides how far back to look)
     * @throws PollException naming what failed, never a credential; {@link PollException#retryAfter()} when the vendor
     *                       asked to wait
     */
    PollResult poll(String checkpoint) throws PollException;
}
