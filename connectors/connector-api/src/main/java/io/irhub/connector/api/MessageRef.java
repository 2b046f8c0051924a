package io.irhub.connector.api;

/** A posted approval message (Slack: the channel id and the message's ts). */
public record MessageRef(String channel, String id) {
}
