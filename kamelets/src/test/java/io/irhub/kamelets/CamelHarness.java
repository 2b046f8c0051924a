package io.irhub.kamelets;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A Camel context as a Kamelet's user builds one: the Kamelets from {@code classpath:kamelets} (what this module's jar
 * ships), Kamelet properties as {@code camel.kamelet.<name>.<property>} properties, and routes in the YAML DSL.
 */
final class CamelHarness implements AutoCloseable {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final ProducerTemplate producer;
    private int httpPort = -1;

    private CamelHarness(Map<String, String> properties, String routes, boolean http) throws Exception {
        context.getPropertiesComponent().addInitialProperty("camel.component.kamelet.location", "classpath:kamelets");
        properties.forEach(context.getPropertiesComponent()::addInitialProperty);
        if (http) {
            httpPort = freePort();
            VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
            server.setBindHost("127.0.0.1");
            server.setBindPort(httpPort);
            context.addService(new VertxPlatformHttpServer(server));
        }
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("routes.yaml", routes));
            context.start();
        } catch (Exception e) {
            // a Kamelet that fails to start must not leave its beans or the HTTP server behind
            context.stop();
            throw e;
        }
        producer = context.createProducerTemplate();
    }

    /** Starts a context with these properties and routes (a YAML DSL list). */
    static CamelHarness start(Map<String, String> properties, String routes) throws Exception {
        return new CamelHarness(properties, routes, false);
    }

    /** The same, with the platform-http server on a free port of 127.0.0.1. */
    static CamelHarness startWithHttp(Map<String, String> properties, String routes) throws Exception {
        return new CamelHarness(properties, routes, true);
    }

    CamelContext context() {
        return context;
    }

    ProducerTemplate producer() {
        return producer;
    }

    MockEndpoint mock(String name) {
        return context.getEndpoint("mock:" + name, MockEndpoint.class);
    }

    int httpPort() {
        return httpPort;
    }

    @Override
    public void close() {
        context.stop();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
