package io.irhub.kamelets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Kamelet files this module ships ({@code src/main/resources/kamelets}), read as plain YAML trees. */
final class KameletFiles {
    static final Path DIRECTORY = Path.of("src", "main", "resources", "kamelets");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One Kamelet file: its path and its tree. */
    record Kamelet(Path file, JsonNode tree) {
        String name() {
            return tree.path("metadata").path("name").asText();
        }

        JsonNode definition() {
            return tree.path("spec").path("definition");
        }

        JsonNode template() {
            return tree.path("spec").path("template");
        }

        String annotation(String key) {
            return tree.path("metadata").path("annotations").path(key).asText("");
        }

        /** The template's first bean (every irhub Kamelet has exactly one). */
        JsonNode bean() {
            return template().path("beans").path(0);
        }

        /** The bean's class, from {@code #class:io.irhub.kamelets.TargetAction}. */
        String beanClass() {
            return bean().path("type").asText().replace("#class:", "");
        }

        /** {@code config[orgUrl]: "{{orgUrl}}"} entries of the bean: Kamelet property name → bound value. */
        Map<String, String> configBindings() {
            Map<String, String> bindings = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = bean().path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith("config[") && e.getKey().endsWith("]")) {
                    bindings.put(e.getKey().substring(7, e.getKey().length() - 1), e.getValue().asText());
                }
            }
            return bindings;
        }

        @Override
        public String toString() {
            return file.getFileName().toString();
        }
    }

    private KameletFiles() {
    }

    static List<Kamelet> all() {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".kamelet.yaml")).sorted()
                    .map(f -> new Kamelet(f, read(f))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Kamelet named(String name) {
        return all().stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Kamelet " + name));
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + file, e);
        }
    }
}
