package io.irhub.connector.api;

/**
 * One finding of a target's self-check ({@code irhub connectors check}): a credential obtained and granted what its
 * capability needs, a base URL reachable. The message never contains a secret.
 *
 * @param subject what was checked ({@code credential suspend}, {@code org-url})
 * @param ok      whether it is as it must be
 * @param message what was found, or what to fix
 */
public record CheckResult(String subject, boolean ok, String message) {
}
