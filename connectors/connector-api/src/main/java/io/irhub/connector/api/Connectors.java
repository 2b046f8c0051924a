package io.irhub.connector.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The connectors found on the classpath through {@link ServiceLoader}. Two connectors with one id fail loudly,
 * naming the id and both classes; asking for an id nobody provides fails naming it and the known ids.
 */
public final class Connectors {
    private final Map<String, SourceConnector> sources;
    private final Map<String, TargetConnector> targets;
    private final Map<String, ApprovalConnector> approvals;

    private Connectors(Map<String, SourceConnector> sources, Map<String, TargetConnector> targets,
                       Map<String, ApprovalConnector> approvals) {
        this.sources = sources;
        this.targets = targets;
        this.approvals = approvals;
    }

    /** Discovers through the given class loader. */
    public static Connectors discover(ClassLoader loader) {
        return new Connectors(index("source", load(SourceConnector.class, loader)),
                index("target", load(TargetConnector.class, loader)),
                index("approval", load(ApprovalConnector.class, loader)));
    }

    public static Connectors discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** @throws IllegalStateException when two connectors share an id */
    public static Connectors of(List<? extends SourceConnector> sources, List<? extends TargetConnector> targets) {
        return new Connectors(index("source", sources), index("target", targets), Map.of());
    }

    private static <C> List<C> load(Class<C> type, ClassLoader loader) {
        return ServiceLoader.load(type, loader).stream().map(ServiceLoader.Provider::get).toList();
    }

    private static <C extends Connector> Map<String, C> index(String kind, List<? extends C> found) {
        Map<String, C> byId = new TreeMap<>();
        for (C c : found) {
            C previous = byId.putIfAbsent(c.id(), c);
            if (previous != null) {
                throw new IllegalStateException("duplicate " + kind + " connector id '" + c.id() + "': provided by "
                        + previous.getClass().getName() + " and " + c.getClass().getName());
            }
        }
        return byId;
    }

    public Map<String, SourceConnector> sources() {
        return new LinkedHashMap<>(sources);
    }

    public Map<String, TargetConnector> targets() {
        return new LinkedHashMap<>(targets);
    }

    /** @throws IllegalArgumentException naming the id and the known source ids */
    public SourceConnector source(String id) {
        return Optional.ofNullable(sources.get(id)).orElseThrow(() -> new IllegalArgumentException(
                "unknown source connector '" + id + "' (found on the classpath: " + String.join(", ", sources.keySet()) + ")"));
    }

    public Map<String, ApprovalConnector> approvals() {
        return new LinkedHashMap<>(approvals);
    }

    /** @throws IllegalArgumentException naming the id and the known approval connector ids */
    public ApprovalConnector approval(String id) {
        return Optional.ofNullable(approvals.get(id)).orElseThrow(() -> new IllegalArgumentException(
                "unknown approval connector '" + id + "' (found on the classpath: " + String.join(", ", approvals.keySet()) + ")"));
    }

    /** @throws IllegalArgumentException naming the id and the known target ids */
    public TargetConnector target(String id) {
        return Optional.ofNullable(targets.get(id)).orElseThrow(() -> new IllegalArgumentException(
                "unknown target connector '" + id + "' (found on the classpath: " + String.join(", ", targets.keySet()) + ")"));
    }

    /** The hub's version, from the jar manifest when packaged. */
    public static String version() {
        String v = Connectors.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
