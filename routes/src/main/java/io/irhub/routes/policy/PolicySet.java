package io.irhub.routes.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.irhub.connector.api.ConfigDef;
import io.irhub.connector.api.ConfigError;
import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.IdentityKind;
import io.irhub.connector.api.Severity;
import io.irhub.connector.api.Signal;
import io.irhub.connector.api.Verb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The loaded policies, in order (the first that matches a signal plans it), and the guards. */
public final class PolicySet {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final List<Policy> policies;
    private final Guards guards;

    public PolicySet(List<Policy> policies, Guards guards) {
        this.policies = List.copyOf(policies);
        this.guards = guards;
    }

    public List<Policy> policies() {
        return policies;
    }

    public Guards guards() {
        return guards;
    }

    public Optional<Policy> firstMatch(Signal signal) {
        return policies.stream().filter(p -> p.matches(signal)).findFirst();
    }

    /** Reads YAML with top-level {@code policies:} and {@code guards:}. */
    public static PolicyFile read(String yaml, String origin) {
        try {
            PolicyFile file = YAML.readValue(yaml, PolicyFile.class);
            return file == null ? new PolicyFile(List.of(), null, null) : file;
        } catch (JsonProcessingException e) {
            throw new ConfigException(origin, e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
    }

    /**
     * Validates and compiles, reporting every problem with its path ({@code policies[0].actions[1].target}).
     *
     * @param targets the configured target instances and the verbs each can perform
     */
    public static PolicySet from(PolicyFile file, Map<String, Set<Verb>> targets) {
        return from(file, targets, Set.of());
    }

    /** @param approvalChannels the configured approval channel instances */
    public static PolicySet from(PolicyFile file, Map<String, Set<Verb>> targets, Set<String> approvalChannels) {
        List<ConfigError> errors = new ArrayList<>();
        ApprovalPolicy defaultApproval = approval(file.approval(), null, "approval", approvalChannels, errors);
        List<Policy> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<PolicyFile.Rule> rules = file.policies() == null ? List.of() : file.policies();
        for (int i = 0; i < rules.size(); i++) {
            PolicyFile.Rule r = rules.get(i);
            String at = "policies[" + i + "]";
            if (r.name() == null || r.name().isBlank()) {
                errors.add(new ConfigError(at + ".name", "is required"));
            } else if (!names.add(r.name())) {
                errors.add(new ConfigError(at + ".name", "'" + r.name() + "' is used by another policy"));
            }
            if (r.mode() == null) {
                errors.add(new ConfigError(at + ".mode", "is required (auto, approval or dry-run)"));
            }
            boolean irreversibleAllowed = false;
            if (r.irreversible() != null) {
                switch (r.irreversible()) {
                    case "allowed" -> irreversibleAllowed = true;
                    case "approval" -> irreversibleAllowed = false;
                    default -> errors.add(new ConfigError(at + ".irreversible", "must be 'approval' or 'allowed'"));
                }
            }
            PolicyFile.MatchSpec m = r.match() == null ? new PolicyFile.MatchSpec(null, null, null, null) : r.match();
            NameMatcher source = matcher(m.source(), at + ".match.source", errors);
            NameMatcher detection = matcher(m.detection(), at + ".match.detection", errors);
            Severity min = Severity.INFORMATIONAL;
            if (m.minSeverity() != null) {
                try {
                    min = Severity.parse(m.minSeverity());
                } catch (IllegalArgumentException e) {
                    errors.add(new ConfigError(at + ".match.min-severity", e.getMessage()));
                }
            }
            Set<IdentityKind> kinds = EnumSet.noneOf(IdentityKind.class);
            if (m.identityKinds() != null) {
                for (String k : m.identityKinds()) {
                    try {
                        kinds.add(IdentityKind.fromWire(k));
                    } catch (IllegalArgumentException e) {
                        errors.add(new ConfigError(at + ".match.identity-kinds", e.getMessage()));
                    }
                }
            }
            List<Policy.Action> actions = new ArrayList<>();
            List<PolicyFile.ActionSpec> specs = r.actions() == null ? List.of() : r.actions();
            if (specs.isEmpty()) {
                errors.add(new ConfigError(at + ".actions", "a policy needs at least one action"));
            }
            for (int j = 0; j < specs.size(); j++) {
                Policy.Action a = action(specs.get(j), at + ".actions[" + j + "]", targets, errors);
                if (a != null) {
                    actions.add(a);
                }
            }
            ApprovalPolicy approval = approval(r.approval(), defaultApproval, at + ".approval", approvalChannels, errors);
            compiled.add(new Policy(r.name(), source, detection, min, kinds, r.mode(), irreversibleAllowed, actions,
                    approval));
        }
        Guards guards = guards(file.guards(), errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("policies", errors);
        }
        return new PolicySet(compiled, guards);
    }

    private static Policy.Action action(PolicyFile.ActionSpec spec, String at, Map<String, Set<Verb>> targets,
                                        List<ConfigError> errors) {
        Verb verb = null;
        try {
            verb = Verb.fromWire(spec.verb());
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(at + ".verb", e.getMessage()));
        }
        if (spec.target() == null || !targets.containsKey(spec.target())) {
            errors.add(new ConfigError(at + ".target", "'" + spec.target() + "' is not a configured target instance"
                    + " (configured: " + String.join(", ", targets.keySet()) + ")"));
        } else if (verb != null && !targets.get(spec.target()).contains(verb)) {
            errors.add(new ConfigError(at + ".verb", "target '" + spec.target() + "' cannot " + verb.wireName()
                    + " (it can: " + targets.get(spec.target()).stream().map(Verb::wireName).sorted().toList() + ")"));
        }
        Duration expires = null;
        if (spec.expiresAfter() != null) {
            try {
                expires = ConfigDef.parseDuration(spec.expiresAfter());
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(at + ".expires-after", e.getMessage()));
            }
            if (verb != null && verb != Verb.SUSPEND) {
                errors.add(new ConfigError(at + ".expires-after", "only a suspend can expire"));
            } else if (verb != null && targets.containsKey(spec.target()) && !targets.get(spec.target()).contains(Verb.RESTORE)) {
                errors.add(new ConfigError(at + ".expires-after", "target '" + spec.target()
                        + "' cannot restore, so its suspension cannot expire"));
            }
        }
        Set<IdentityKind> kinds = EnumSet.noneOf(IdentityKind.class);
        if (spec.identityKinds() != null) {
            for (String k : spec.identityKinds()) {
                try {
                    kinds.add(IdentityKind.fromWire(k));
                } catch (IllegalArgumentException e) {
                    errors.add(new ConfigError(at + ".identity-kinds", e.getMessage()));
                }
            }
        }
        return verb == null ? null : new Policy.Action(verb, spec.target(), expires, kinds);
    }

    private static ApprovalPolicy approval(PolicyFile.ApprovalSpec spec, ApprovalPolicy fallback, String at,
                                           Set<String> channels, List<ConfigError> errors) {
        if (spec == null) {
            return fallback;
        }
        String channel = spec.channel() != null ? spec.channel() : fallback == null ? null : fallback.channel();
        if (channel == null || !channels.contains(channel)) {
            errors.add(new ConfigError(at + ".channel", "'" + channel + "' is not a configured approval channel"
                    + " (configured: " + String.join(", ", channels) + ")"));
        }
        List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
        if (spec.approvers() != null) {
            for (int i = 0; i < spec.approvers().size(); i++) {
                PolicyFile.ApproverSpec a = spec.approvers().get(i);
                if (a == null || a.id() == null || a.id().isBlank()) {
                    errors.add(new ConfigError(at + ".approvers[" + i + "].id", "is required (the channel's user id)"));
                } else {
                    approvers.add(new ApprovalPolicy.Approver(a.id().trim(), a.login()));
                }
            }
        } else if (fallback != null) {
            approvers.addAll(fallback.approvers());
        }
        if (approvers.isEmpty()) {
            errors.add(new ConfigError(at + ".approvers", "name at least one approver"));
        }
        boolean twoPerson = spec.twoPersonForIrreversible() != null ? spec.twoPersonForIrreversible()
                : fallback != null && fallback.twoPersonForIrreversible();
        if (twoPerson && approvers.size() < 2) {
            errors.add(new ConfigError(at + ".two-person-for-irreversible", "needs at least two approvers"));
        }
        Duration timeout = fallback != null ? fallback.timeout() : Duration.ofMinutes(30);
        if (spec.timeout() != null) {
            try {
                timeout = ConfigDef.parseDuration(spec.timeout());
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(at + ".timeout", e.getMessage()));
            }
        }
        boolean onTimeoutApprove = fallback != null && fallback.onTimeoutApprove();
        if (spec.onTimeout() != null) {
            switch (spec.onTimeout()) {
                case "deny" -> onTimeoutApprove = false;
                case "approve" -> onTimeoutApprove = true;
                default -> errors.add(new ConfigError(at + ".on-timeout", "must be 'deny' or 'approve'"));
            }
        }
        return new ApprovalPolicy(channel, approvers, twoPerson, timeout, onTimeoutApprove);
    }

    private static NameMatcher matcher(String expression, String at, List<ConfigError> errors) {
        if (expression == null) {
            return null;
        }
        try {
            return NameMatcher.of(expression);
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(at, e.getMessage()));
            return null;
        }
    }

    private static Guards guards(PolicyFile.GuardsSpec spec, List<ConfigError> errors) {
        if (spec == null) {
            return Guards.NONE;
        }
        List<NameMatcher> protectedIdentities = new ArrayList<>();
        List<String> entries = spec.protectedIdentities() == null ? List.of() : spec.protectedIdentities();
        for (int i = 0; i < entries.size(); i++) {
            NameMatcher m = matcher(entries.get(i), "guards.protected-identities[" + i + "]", errors);
            if (m != null) {
                protectedIdentities.add(m);
            }
        }
        int max = 0;
        Duration window = Duration.ZERO;
        if (spec.blastRadius() != null) {
            if (spec.blastRadius().maxActions() == null || spec.blastRadius().maxActions() < 1) {
                errors.add(new ConfigError("guards.blast-radius.max-actions", "must be a whole number of at least 1"));
            } else {
                max = spec.blastRadius().maxActions();
            }
            try {
                window = ConfigDef.parseDuration(spec.blastRadius().window() == null ? "" : spec.blastRadius().window());
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError("guards.blast-radius.window", e.getMessage()));
            }
        }
        return new Guards(protectedIdentities, max, window);
    }
}
