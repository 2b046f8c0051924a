package io.irhub.routes.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Policies and guards as written in YAML (kebab-case keys). {@link PolicySet#from} validates and compiles them.
 */
public record PolicyFile(List<Rule> policies, GuardsSpec guards) {

    public record Rule(String name, String description, MatchSpec match, Mode mode, String irreversible,
                       List<ActionSpec> actions) {
    }

    /** Every given criterion must hold; a missing one matches anything. */
    public record MatchSpec(String source, String detection, @JsonProperty("min-severity") String minSeverity,
                            @JsonProperty("identity-kinds") List<String> identityKinds) {
    }

    /** {@code identity-kinds} narrows the policy's kinds for this action (a revoke acts on api-tokens only). */
    public record ActionSpec(String verb, String target, @JsonProperty("expires-after") String expiresAfter,
                             @JsonProperty("identity-kinds") List<String> identityKinds) {
    }

    public record GuardsSpec(@JsonProperty("protected-identities") List<String> protectedIdentities,
                             @JsonProperty("blast-radius") BlastRadiusSpec blastRadius) {
    }

    public record BlastRadiusSpec(@JsonProperty("max-actions") Integer maxActions, String window) {
    }
}
