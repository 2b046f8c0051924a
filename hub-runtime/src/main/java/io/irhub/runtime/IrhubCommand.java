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
 * configuration error; 3 the hub failed at run time; 4 the request was refused (e.g. nothing to restore).
 */
@Command(name = "irhub", mixinStandardHelpOptions = true, versionProvider = IrhubCommand.Version.class,
        description = "Identity response hub: detections in, contained identities out, with proof.",
        subcommands = {IrhubCommand.Run.class, IrhubCommand.Audit.class, IrhubCommand.Restore.class})
public final class IrhubCommand {
    static final int CHAIN_BROKEN = 1;
    static final int CONFIG_ERROR = 2;
    static final int RUNTIME_ERROR = 3;
    static final int REFUSED = 4;

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

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Work with the audit store.",
            subcommands = {Verify.class})
    static final class Audit {
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the audit hash chain and report the first edited, deleted or reordered row. "
                    + "Exit 0 when it verifies, 1 when it does not. With the embedded store, stop the hub first.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption options = new ConfigOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
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
