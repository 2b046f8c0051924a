package io.irhub.routes.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Policies and guards as written in YAML (kebab-case keys). {@link PolicySet#from} validates and compiles them.
 */
public record PolicyFile(List<Rule> policies, GuardsSpec guards, ApprovalSpec approval) {

    public PolicyFile(List<Rule> policies, GuardsSpec guards) {
        this(policies, guards, null);
    }

    /** {@code approval} overrides the file's default approval settings for this policy's plans. */
    public record Rule(String name, String description, MatchSpec match, Mode mode, String irreversible,
                       List<ActionSpec> actions, ApprovalSpec approval) {
    }

    /**
     * Who decides a plan that needs approval, where, and until when.
     *
     * @param channel   the approval channel instance ({@code slack-soc})
     * @param approvers people allowed to decide: their channel user id and, to stop anyone approving an action on
     *                  themselves, their login
     * @param onTimeout {@code deny} (default) or {@code approve}
     */
    public record ApprovalSpec(String channel, List<ApproverSpec> approvers,
                               @JsonProperty("two-person-for-irreversible") Boolean twoPersonForIrreversible,
                               String timeout, @JsonProperty("on-timeout") String onTimeout) {
    }

    public record ApproverSpec(String id, String login) {
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
