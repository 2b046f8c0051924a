package io.irhub.runtime;

import io.irhub.connector.api.ConfigException;
import io.irhub.connector.api.Connectors;
import io.irhub.routes.store.AuditLog;
import io.irhub.routes.store.AuditVerification;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code java -jar irhub.jar …}. Exit codes: 0 success; 1 the audit chain does not verify; 2 usage or
 * configuration error; 3 the hub failed at run time; 4 the request was refused (e.g. nothing to restore); 5 a
 * connector check failed.
 */
@Command(name = "irhub", mixinStandardHelpOptions = true, versionProvider = IrhubCommand.Version.class,
        description = "Identity response hub: detections in, contained identities out, with proof.",
        subcommands = {IrhubCommand.Run.class, IrhubCommand.Demo.class, IrhubCommand.Audit.class,
                IrhubCommand.Restore.class, IrhubCommand.Policy.class, IrhubCommand.ConnectorsCommand.class})
public final class IrhubCommand {
    static final int CHAIN_BROKEN = 1;
    static final int CONFIG_ERROR = 2;
    static final int RUNTIME_ERROR = 3;
    static final int REFUSED = 4;
    static final int CHECK_FAILED = 5;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new IrhubCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException ce) {
                commandLine.getErr().println("irhub: invalid configuration (" + ce.scope() + "):");
                commandLine.getErr().println(Hub.describe(ce));
                return CONFIG_ERROR;
            }
            commandLine.getErr().println("irhub: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return RUNTIME_ERROR;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"irhub " + Connectors.version()};
        }
    }

    /** Options shared by commands that read irhub.yaml. */
    static final class ConfigOption {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "irhub.yaml; without it the hub runs on its embedded defaults.")
        Path config;

        Hub hub() {
            IrhubConfig c = config == null ? IrhubConfig.empty() : IrhubConfig.read(config);
            Path base = config == null ? Path.of(".") : config.toAbsolutePath().getParent();
            return new Hub(c, base, System.getenv());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the hub until stopped (SIGTERM or Ctrl-C).")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();

        @Override
        public Integer call() throws Exception {
            org.apache.camel.main.Main main = options.hub().build();
            main.run();
            return main.getExitCode();
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Queue the restore of one suspension (--action) or of every suspension of an incident "
                    + "(--incident). The running hub carries it out with the target's restore credential within "
                    + "pipeline.sweep-every; the request is audited under the incident's correlation id.")
    static final class Restore implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--action", paramLabel = "ACTION-ID", description = "a suspend action's id")
            java.util.UUID action;
            @Option(names = "--incident", paramLabel = "CORRELATION-ID", description = "an incident's correlation id")
            java.util.UUID incident;
        }

        @Option(names = "--reason", description = "why, for the audit trail")
        String reason;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Hub hub = options.hub();
            Hub.Instances instances = hub.openInstances(Connectors.discover());
            String actor = "cli:" + System.getProperty("user.name", "unknown");
            try (Hub.OpenedStore store = hub.openStore()) {
                io.irhub.routes.Restores restores = new io.irhub.routes.Restores(store.dataSource(),
                        instances.capabilities(), java.time.Clock.systemUTC());
                var orders = which.action != null ? restores.restoreAction(which.action, actor, reason)
                        : restores.restoreIncident(which.incident, actor, reason);
                var out = spec.commandLine().getOut();
                if (orders.isEmpty()) {
                    out.println("nothing to restore: a restore is already pending or done");
                } else {
                    orders.forEach(o -> out.println("restore queued: action " + o.actionId()));
                }
                return 0;
            } catch (io.irhub.routes.Restores.Refused e) {
                spec.commandLine().getErr().println("irhub: " + e.getMessage());
                return REFUSED;
            }
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Check policies without running the hub.",
            subcommands = {PolicyLint.class, PolicyTest.class})
    static final class Policy {
    }

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = "Validate the policies of a configuration against its targets. Needs no secrets. Exit 0 when valid, 2 otherwise.")
    static final class PolicyLint implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Hub hub = options.hub();
            io.irhub.routes.policy.PolicySet set = hub.policies(hub.declaredCapabilities(Connectors.discover()),
                    hub.declaredApprovalChannels());
            spec.commandLine().getOut().printf("%d policies valid%s%n", set.policies().size(),
                    set.guards().protectedIdentities().isEmpty() ? "" : ", " + set.guards().protectedIdentities().size()
                            + " protected identities");
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Print the plan the policies would make for a signal (JSON: source, detection, severity, identities). "
                    + "Nothing is stored and no target is called.")
    static final class PolicyTest implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();
        @CommandLine.Parameters(paramLabel = "SIGNAL.json")
        Path signal;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Hub hub = options.hub();
            io.irhub.routes.policy.PolicySet set = hub.policies(hub.declaredCapabilities(Connectors.discover()),
                    hub.declaredApprovalChannels());
            io.irhub.connector.api.Signal s;
            try {
                s = io.irhub.routes.PolicyTestRequest.signal(java.nio.file.Files.readString(signal));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("irhub: " + signal + ": " + e.getMessage());
                return CONFIG_ERROR;
            }
            var plan = new io.irhub.routes.policy.Planner(set, java.time.Clock.systemUTC()).plan(s, 0);
            spec.commandLine().getOut().println(io.irhub.routes.store.Json.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(io.irhub.routes.PolicyTestRequest.describe(plan)));
            return 0;
        }
    }

    @Command(name = "connectors", mixinStandardHelpOptions = true, description = "The connectors on the classpath.",
            subcommands = {ConnectorsList.class, ConnectorsCheck.class})
    static final class ConnectorsCommand {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every discovered connector: kind, capabilities with their credentials, configuration fields.")
    static final class ConnectorsList implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            Connectors c = Connectors.discover();
            c.sources().values().forEach(x -> describe(out, "source", x, null));
            c.targets().values().forEach(x -> describe(out, "target", x, x.capabilities()));
            c.approvals().values().forEach(x -> describe(out, "approval", x, null));
            return 0;
        }

        private static void describe(java.io.PrintWriter out, String kind, io.irhub.connector.api.Connector c,
                                     java.util.List<io.irhub.connector.api.Capability> caps) {
            out.printf("%s (%s): %s%n", c.id(), kind, c.description());
            if (caps != null) {
                caps.forEach(cap -> out.printf("  can %-15s with credential %s%n", cap.verb().wireName(), cap.credential()));
            }
            for (io.irhub.connector.api.ConfigField f : c.configDef().fields()) {
                out.printf("  %-28s %-8s %-10s %s%n", f.name(), f.type().name().toLowerCase(java.util.Locale.ROOT),
                        f.required() ? "required" : f.defaultValue() == null ? "optional" : "= " + f.defaultValue(),
                        (f.secret() ? "[secret] " : "") + f.description());
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "For each configured target: every credential obtains a token with what its capability needs, "
                    + "and the base URL answers. Reads only. Exit 0 when all pass, 5 otherwise.")
    static final class ConnectorsCheck implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Hub.Instances instances = options.hub().openInstances(Connectors.discover());
            var out = spec.commandLine().getOut();
            boolean allOk = true;
            for (var e : instances.targets().entrySet()) {
                java.util.List<io.irhub.connector.api.CheckResult> results;
                try {
                    results = e.getValue().check();
                } catch (RuntimeException ex) {
                    results = java.util.List.of(new io.irhub.connector.api.CheckResult("check", false,
                            "the check failed unexpectedly (" + ex.getClass().getSimpleName() + ")"));
                }
                for (var r : results) {
                    allOk &= r.ok();
                    out.printf("%-5s %s: %s: %s%n", r.ok() ? "ok" : "FAIL", e.getKey(), r.subject(), r.message());
                }
                e.getValue().close();
            }
            instances.sources().keySet().forEach(n -> out.printf("-     %s: a source; its vendor calls the hub (nothing to check from here)%n", n));
            return allOk ? 0 : CHECK_FAILED;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "A DEMO: starts the hub on embedded defaults with a local Okta stand-in, fires three sample "
                    + "alerts and prints what the hub did. Nothing real is called; everything is thrown away at the end.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var out = spec.commandLine().getOut();
            out.println("=== irhub DEMO: local stand-ins only, nothing real is touched ===");
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("irhub-demo");
            String apiToken = java.util.UUID.randomUUID().toString();
            String hookToken = java.util.UUID.randomUUID().toString();
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                    .encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
            int port = freePort();
            try (DemoOkta okta = new DemoOkta()) {
                String yaml = """
                        server: {host: 127.0.0.1, port: %d}
                        management: {host: 127.0.0.1, port: %d}
                        store: {embedded: {data-dir: postgres}}
                        api:
                          tokens: [{name: demo, token: "${env:DEMO_API_TOKEN}"}]
                        sources:
                          - name: demo-edr
                            type: generic
                            config: {bearer-token: "${env:DEMO_HOOK_TOKEN}"}
                        targets:
                          - name: okta-demo
                            type: okta
                            config: {org-url: "%s", client-id: demo-app, private-key: "${env:DEMO_OKTA_KEY}"}
                        policies:
                          - name: contain-compromised-account
                            match: {detection: "Compromised*", min-severity: high}
                            mode: auto
                            actions:
                              - {verb: suspend, target: okta-demo, expires-after: 4h}
                              - {verb: clear-sessions, target: okta-demo}
                          - name: watch-everything-else
                            mode: dry-run
                            actions: [{verb: suspend, target: okta-demo}]
                        guards:
                          protected-identities: [breakglass@demo.example]
                        """.formatted(port, freePort(), okta.baseUrl());
                java.nio.file.Path config = dir.resolve("irhub.yaml");
                java.nio.file.Files.writeString(config, yaml);
                Hub hub = new Hub(IrhubConfig.read(config), dir, java.util.Map.of("DEMO_API_TOKEN", apiToken,
                        "DEMO_HOOK_TOKEN", hookToken, "DEMO_OKTA_KEY", pem));
                org.apache.camel.main.Main main = hub.build();
                main.start();
                try {
                    String[][] alerts = {
                            {"demo-1", "Compromised account: impossible travel", "critical", "dana@demo.example"},
                            {"demo-2", "Compromised account: token theft", "high", "breakglass@demo.example"},
                            {"demo-3", "Unusual download volume", "medium", "eli@demo.example"}};
                    java.util.List<String> incidents = new java.util.ArrayList<>();
                    for (String[] a : alerts) {
                        String body = "{\"id\":\"" + a[0] + "\",\"detection\":\"" + a[1] + "\",\"severity\":\"" + a[2]
                                + "\",\"identities\":[{\"kind\":\"user\",\"login\":\"" + a[3] + "\"}]}";
                        var r = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + port + "/hooks/demo-edr")).header("Authorization", "Bearer " + hookToken)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        var accepted = io.irhub.routes.store.Json.MAPPER.readTree(r.body()).path("accepted");
                        out.printf("alert %-45s → HTTP %d%n", "\"" + a[1] + "\" (" + a[3] + ")", r.statusCode());
                        if (accepted.size() > 0) {
                            incidents.add(accepted.get(0).asText());
                        }
                    }
                    for (String id : incidents) {
                        printTimeline(out, port, apiToken, id);
                    }
                } finally {
                    main.stop();
                }
            } finally {
                deleteTree(dir);
            }
            out.println("=== end of DEMO ===");
            return 0;
        }

        private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

        private static void printTimeline(java.io.PrintWriter out, int port, String token, String id) throws Exception {
            com.fasterxml.jackson.databind.JsonNode t = null;
            for (int i = 0; i < 100; i++) {   // up to 10 s for the pipeline to finish this incident
                var r = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://127.0.0.1:" + port + "/api/incidents/" + id)).header("Authorization", "Bearer " + token).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                t = io.irhub.routes.store.Json.MAPPER.readTree(r.body());
                String state = t.at("/plan/state").asText("");
                if (state.equals("completed") || state.equals("failed")) {
                    break;
                }
                Thread.sleep(100);
            }
            out.printf("%n--- incident %s: %s ---%n", id, t.at("/signal/detection").asText());
            out.printf("plan: %s (%s), %s%n", t.at("/plan/policy").asText("none"), t.at("/plan/mode").asText("-"),
                    t.at("/plan/state").asText("-"));
            for (var e : t.get("timeline")) {
                if (e.get("stage").asText().equals("api-call")) {
                    continue;   // the demo's own reads of this timeline
                }
                out.printf("  %s  %-17s %-36s %-30s %-15s %s%n", e.get("at").asText().substring(11, 23), e.get("stage").asText(),
                        e.get("actor").asText(), e.path("identity").asText(""), e.path("details").path("verb").asText(""),
                        e.get("outcome").asText());
            }
        }

        private static int freePort() throws java.io.IOException {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                return s.getLocalPort();
            }
        }

        private static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
            try (var paths = java.nio.file.Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit store.",
            subcommands = {Verify.class, Export.class})
    static final class Audit {
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the chained audit rows between two times, with their hashes, as JSONL or CSV.")
    static final class Export implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();
        @Option(names = "--from", description = "ISO-8601 instant (default: the beginning)")
        java.time.Instant from;
        @Option(names = "--to", description = "ISO-8601 instant (default: now)")
        java.time.Instant to;
        @Option(names = "--format", defaultValue = "jsonl", description = "jsonl or csv (default ${DEFAULT-VALUE})")
        String format;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write (default: standard output)")
        Path output;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!format.equals("jsonl") && !format.equals("csv")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format must be jsonl or csv");
            }
            try (Hub.OpenedStore store = options.hub().openStore();
                 java.io.OutputStream out = output == null ? new java.io.FilterOutputStream(System.out) {
                     @Override
                     public void close() throws java.io.IOException {
                         flush();
                     }
                 } : java.nio.file.Files.newOutputStream(output)) {
                long n = io.irhub.routes.store.AuditExport.write(store.dataSource(),
                        from == null ? java.time.Instant.EPOCH : from, to == null ? java.time.Instant.now() : to,
                        format.equals("csv") ? io.irhub.routes.store.AuditExport.Format.CSV
                                : io.irhub.routes.store.AuditExport.Format.JSONL, out);
                spec.commandLine().getErr().println("exported " + n + " audit rows");
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the audit hash chain and report the first edited, deleted or reordered row. "
                    + "Exit 0 when it verifies, 1 when it does not. With the embedded store, stop the hub first.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--file", paramLabel = "EXPORT.jsonl",
                description = "verify an export offline instead of the store (every row against its hash and its predecessor)")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (file != null) {
                try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(file)) {
                    AuditVerification v = io.irhub.routes.store.AuditExport.verify(in);
                    var out = spec.commandLine().getOut();
                    if (v.valid()) {
                        out.printf("export verifies: %d rows%n", v.verified());
                        return 0;
                    }
                    out.printf("export BROKEN after %d good rows: %s%n", v.verified(), v.problem());
                    return CHAIN_BROKEN;
                }
            }
            try (Hub.OpenedStore store = options.hub().openStore()) {
                AuditLog audit = new AuditLog(store.dataSource());
                AuditVerification v = audit.verify();
                var out = spec.commandLine().getOut();
                if (v.valid()) {
                    out.printf("audit chain verifies: %d rows, %d not yet chained%n", v.verified(), v.pending());
                    return 0;
                }
                out.printf("audit chain BROKEN after %d good rows: %s%n", v.verified(), v.problem());
                return CHAIN_BROKEN;
            }
        }
    }
}
