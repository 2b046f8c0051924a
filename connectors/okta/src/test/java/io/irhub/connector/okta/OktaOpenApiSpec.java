package io.irhub.connector.okta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Okta's management OpenAPI spec as Prism can load it. The spec is {@code api/openapi.yaml} of
 * {@code com.okta.sdk:okta-sdk-api:<version>:sources}, a test dependency, so it is on the test classpath. A few of its
 * example values are JSON Schema documents with {@code $ref} keys of their own ({@code $ref: $ref}); Prism takes
 * them for references and fails to resolve them, so they are renamed to {@code x-example-ref}. Nothing else changes.
 */
final class OktaOpenApiSpec {
    static final String RESOURCE = "/api/openapi.yaml";
    static final String RENAMED_REF = "x-example-ref";

    private OktaOpenApiSpec() {
    }

    /**
     * Writes the spec as JSON to {@code file}.
     *
     * @return how many {@code $ref} keys inside example values were renamed
     */
    static int writeForPrism(Path file) {
        LoaderOptions options = new LoaderOptions();
        // the spec is 3.5 MB; SnakeYAML stops at 3 MB unless told otherwise
        options.setCodePointLimit(64 * 1024 * 1024);
        ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(options).build());
        JsonNode spec;
        try (InputStream in = OktaOpenApiSpec.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath: the test dependency "
                        + "com.okta.sdk:okta-sdk-api (classifier sources) carries it");
            }
            spec = yaml.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int renamed = renameRefsInExamples(spec, null);
        try {
            Files.createDirectories(file.getParent());
            new ObjectMapper().writeValue(file.toFile(), spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return renamed;
    }

    /** Finds example values ({@code example: …}, {@code examples: {name: {value: …}}}) outside property names. */
    static int renameRefsInExamples(JsonNode node, String key) {
        int renamed = 0;
        if (node instanceof ObjectNode object) {
            boolean propertyNames = "properties".equals(key);
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (!propertyNames && name.equals("example")) {
                    renamed += renameRefs(value);
                } else if (!propertyNames && name.equals("examples") && value.isArray()) {
                    renamed += renameRefs(value);
                } else if (!propertyNames && name.equals("examples") && value.isObject()) {
                    for (JsonNode example : value) {
                        // an Example Object's value; a $ref beside it (to components/examples) is a real reference
                        renamed += example.has("value") ? renameRefs(example.get("value")) : 0;
                    }
                } else {
                    renamed += renameRefsInExamples(value, name);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode element : array) {
                renamed += renameRefsInExamples(element, null);
            }
        }
        return renamed;
    }

    private static int renameRefs(JsonNode node) {
        int renamed = 0;
        if (node instanceof ObjectNode object) {
            JsonNode ref = object.remove("$ref");
            if (ref != null) {
                object.set(RENAMED_REF, ref);
                renamed++;
            }
            for (JsonNode child : object) {
                renamed += renameRefs(child);
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode element : array) {
                renamed += renameRefs(element);
            }
        }
        return renamed;
    }
}
