package io.irhub.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The storm's signals in the generic source's format (connectors/generic/.../irhub-signal.schema.json): a unique id,
 * a detection the bench policy acts on automatically, one user identity, identities cycling over a fixed population.
 */
final class Signals {
    static final String DETECTION = "Compromised account (bench storm)";
    static final String DOMAIN = "@bench.example";

    private Signals() {
    }

    /** The login of identity {@code n} of a phase; the prefix keeps phases apart at the stand-in. */
    static String login(String phase, int n) {
        return phase + "-u" + n + DOMAIN;
    }

    /** The phase a login belongs to (its prefix), or {@code null}. */
    static String phaseOf(String login) {
        int dash = login.indexOf("-u");
        return dash <= 0 ? null : login.substring(0, dash);
    }

    static String signal(String runId, String phase, long seq, String login) {
        return "{\"id\":\"" + runId + "-" + phase + "-" + seq + "\",\"detection\":\"" + DETECTION
                + "\",\"severity\":\"high\",\"link\":\"https://siem.bench.example/alerts/" + phase + "-" + seq
                + "\",\"identities\":[{\"kind\":\"user\",\"login\":\"" + login + "\"}]}";
    }

    /** A JSON array of signals (one delivery). */
    static String batch(String[] signals, int from, int to) {
        if (to - from == 1) {
            return signals[from];
        }
        StringBuilder sb = new StringBuilder(signals[from].length() * (to - from) + 2).append('[');
        for (int i = from; i < to; i++) {
            if (i > from) {
                sb.append(',');
            }
            sb.append(signals[i]);
        }
        return sb.append(']').toString();
    }

    /** The stand-in's Okta user id for a login, reversible so a suspend by id names its login. */
    static String oktaId(String login) {
        return "00u" + Base64.getUrlEncoder().withoutPadding().encodeToString(login.getBytes(StandardCharsets.UTF_8));
    }

    static String loginOfOktaId(String id) {
        if (!id.startsWith("00u")) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(id.substring(3)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
