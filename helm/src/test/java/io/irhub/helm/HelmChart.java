package io.irhub.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart under test, driven through helm-java (Helm as a native library): lint, template, and the parsed
 * manifests. Release "irhub" in namespace "irhub", so names are "irhub", "irhub-&lt;secret&gt;", ...
 */
final class HelmChart {
    static final String RELEASE = "irhub";
    static final String NAMESPACE = "irhub";
    /** helm-java's template defaults to Kubernetes 1.20, older than the chart's kubeVersion (>=1.23). */
    static final String KUBE_VERSION = "1.31.0";

    static final ObjectMapper YAML = new YAMLMapper();

    static final Path CHART = Path.of(System.getProperty("chart.dir", "irhub")).toAbsolutePath();
    static final Path WORK = Path.of(System.getProperty("java.io.tmpdir"), "helm-tests").toAbsolutePath();

    private HelmChart() {
    }

    /** The ci/*-values.yaml scenarios, by file name. */
    static List<String> ciScenarios() {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path ci(String fileName) {
        return CHART.resolve("ci").resolve(fileName);
    }

    /** A values file kept beside the tests (src/test/resources/scenarios). */
    static Path scenario(String fileName) {
        try {
            return Path.of(HelmChart.class.getResource("/scenarios/" + fileName).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("no test scenario " + fileName, e);
        }
    }

    /** helm template with these values files (later ones win), each "key=value" a --set. */
    static String template(Path chart, List<Path> valuesFiles, Map<String, Object> sets) {
        TemplateCommand command = new Helm(chart).template()
                .withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        for (Path values : valuesFiles) {
            command = command.withValuesFile(values);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return command.call();
    }

    static Rendered render(Path... valuesFiles) {
        return new Rendered(template(CHART, List.of(valuesFiles), Map.of()));
    }

    static Rendered render(Map<String, Object> sets, Path... valuesFiles) {
        return new Rendered(template(CHART, List.of(valuesFiles), sets));
    }

    /**
     * helm lint --strict with a values file. helm-java's lint takes no values file, so the chart is copied and its
     * values.yaml replaced by the chart's defaults merged with the file the way Helm merges them (maps merged key by
     * key, anything else replaced, null removes the key).
     */
    static LintResult lint(Path valuesFile) {
        Path copy = copyChart("lint-" + valuesFile.getFileName());
        try {
            ObjectNode merged = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
            JsonNode overrides = YAML.readTree(valuesFile.toFile());
            if (overrides != null && overrides.isObject()) {
                merge(merged, (ObjectNode) overrides);
            }
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    static LintResult lintDefaults() {
        return new Helm(CHART).lint().strict().call();
    }

    /**
     * The chart with its helm test hook turned into a plain manifest: helm-java's template prints the release
     * manifest only, not hooks, and the test pod is a hook.
     */
    static Rendered renderWithTestHooks(Path... valuesFiles) {
        Path copy = copyChart("with-test-hooks");
        Path test = copy.resolve("templates/tests/test-connection.yaml");
        try {
            List<String> lines = Files.readAllLines(test).stream().filter(l -> !l.contains("\"helm.sh/hook")).toList();
            Files.write(test, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(template(copy, List.of(valuesFiles), Map.of()));
    }

    /** NOTES.txt as `helm install --dry-run` prints it (client only, no cluster). */
    static String notes(Path... valuesFiles) {
        var install = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION).dryRun().clientOnly();
        for (Path values : valuesFiles) {
            install = install.withValuesFile(values);
        }
        return install.call().getOutput();
    }

    /** Writes a values file for one test. */
    static Path values(Path dir, String name, String yaml) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copyChart(String name) {
        Path target = WORK.resolve(name).resolve("irhub");
        try {
            if (Files.exists(target)) {
                try (Stream<Path> old = Files.walk(target)) {
                    old.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Path dest = target.resolve(CHART.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(source, dest);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void merge(ObjectNode base, ObjectNode overrides) {
        Iterator<Map.Entry<String, JsonNode>> fields = overrides.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode current = base.get(field.getKey());
            if (field.getValue().isNull()) {
                base.remove(field.getKey());
            } else if (current != null && current.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) current, (ObjectNode) field.getValue());
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    /** The output of helm template: its text and its manifests, parsed. */
    record Rendered(String text, List<JsonNode> manifests) {
        Rendered(String text) {
            this(text, parse(text));
        }

        private static List<JsonNode> parse(String text) {
            List<JsonNode> docs = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(text)) {
                Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                        docs.add(doc);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("helm template printed invalid YAML", e);
            }
            return docs;
        }

        List<JsonNode> all(String kind) {
            return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
        }

        /** The one manifest of this kind; fails when there is none or more than one. */
        JsonNode one(String kind) {
            List<JsonNode> found = all(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + ", found " + found.size() + " in\n" + text);
            }
            return found.get(0);
        }

        JsonNode deployment() {
            return one("Deployment");
        }

        JsonNode podSpec() {
            return deployment().path("spec").path("template").path("spec");
        }

        JsonNode container() {
            return podSpec().path("containers").get(0);
        }

        String annotation(String name) {
            return deployment().path("spec").path("template").path("metadata").path("annotations").path(name).asText(null);
        }

        /** irhub.yaml from the ConfigMap, parsed. */
        JsonNode irhubYaml() {
            return readYaml(one("ConfigMap").path("data").path("irhub.yaml").asText());
        }

        /** The ConfigMap as text (every file it holds). */
        String configMapText() {
            try {
                return YAML.writeValueAsString(one("ConfigMap"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The value of one environment variable of the hub container, or null. */
        JsonNode env(String name) {
            for (JsonNode e : container().path("env")) {
                if (name.equals(e.path("name").asText())) {
                    return e;
                }
            }
            return null;
        }
    }

    static JsonNode readYaml(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
