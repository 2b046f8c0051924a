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

    private Connectors(Map<String, SourceConnector> sources, Map<String, TargetConnector> targets) {
        this.sources = sources;
        this.targets = targets;
    }

    /** Discovers through the given class loader. */
    public static Connectors discover(ClassLoader loader) {
        return of(ServiceLoader.load(SourceConnector.class, loader).stream().map(ServiceLoader.Provider::get).toList(),
                ServiceLoader.load(TargetConnector.class, loader).stream().map(ServiceLoader.Provider::get).toList());
    }

    public static Connectors discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** @throws IllegalStateException when two connectors share an id */
    public static Connectors of(List<? extends SourceConnector> sources, List<? extends TargetConnector> targets) {
        return new Connectors(index("source", sources), index("target", targets));
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
