package io.irhub.routes.policy;

import io.irhub.connector.api.Identity;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Guard rails applied to every plan before any action.
 *
 * @param protectedIdentities identities never acted on (break-glass admins): matched against login, email and
 *                            external id
 * @param maxActions          automatic actions allowed per {@code window}; above that, plans need approval; 0 = off
 */
public record Guards(List<NameMatcher> protectedIdentities, int maxActions, Duration window) {

    public static final Guards NONE = new Guards(List.of(), 0, Duration.ZERO);

    /** The protected-identities entry this identity matches, if any. */
    public Optional<String> protectedBy(Identity identity) {
        return protectedIdentities.stream()
                .filter(m -> Stream.of(identity.login(), identity.email(), identity.externalId()).anyMatch(m::matches))
                .map(NameMatcher::expression).findFirst();
    }

    public boolean blastRadiusLimited() {
        return maxActions > 0;
    }
}
