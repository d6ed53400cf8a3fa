package io.vectorflow.cli;

import io.vectorflow.engine.Database;
import io.vectorflow.server.auth.ApiKeys;
import io.vectorflow.server.auth.Role;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vectorflow keys}: creates, lists and revokes the API keys of a data directory (the
 * running server sees a change within a second).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Creates, lists and revokes the API keys of a data directory; a running server sees changes within a second.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("vectorflow keys: give create, list or revoke (see --help)");
        return 2;
    }

    /** Where the keys are: flag, else VECTORFLOW_DATA_DIR, else ./vectorflow-data (as {@code serve}). */
    static ApiKeys keys(String dataDir) {
        String dir = dataDir != null ? dataDir : System.getenv().getOrDefault("VECTORFLOW_DATA_DIR", "./vectorflow-data");
        return ApiKeys.in(Path.of(dir));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Makes a key and prints it once.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (VECTORFLOW_DATA_DIR; default ./vectorflow-data)")
        String dataDir;

        @Option(names = "--name", required = true, description = "a label for people: letters, digits, '_', '-', '.'")
        String name;

        @Option(names = "--role", required = true, description = "admin, read-write, read-only or metrics")
        String role;

        @Option(names = "--tenant", description = "the tenant whose collections the key sees (default: default)")
        String tenant = Database.DEFAULT_TENANT;

        @Option(names = "--collections", split = ",", description = "limit the key to these collections (default: all of its tenant's)")
        List<String> collections = List.of();

        @Override
        public Integer call() {
            ApiKeys.Created made = keys(dataDir).create(name, Role.parse(role), tenant, collections);
            System.err.printf("vectorflow keys: created %s (id %s, %s, tenant %s%s); it is shown this once:%n", made.key().name(),
                    made.key().id(), made.key().role().label(), made.key().tenant(),
                    collections.isEmpty() ? "" : ", collections " + String.join(",", collections));
            System.out.println(made.secret());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the keys (never the keys themselves).")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (VECTORFLOW_DATA_DIR; default ./vectorflow-data)")
        String dataDir;

        @Override
        public Integer call() {
            System.out.printf("%-12s  %-20s  %-10s  %-16s  %-20s  %s%n", "id", "name", "role", "tenant", "created", "collections");
            for (ApiKeys.Key k : keys(dataDir).list()) {
                System.out.printf("%-12s  %-20s  %-10s  %-16s  %-20s  %s%n", k.id(), k.name(), k.role().label(), k.tenant(),
                        k.created(), k.collections().isEmpty() ? "*" : String.join(",", k.collections().keySet()));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a key by id.")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (VECTORFLOW_DATA_DIR; default ./vectorflow-data)")
        String dataDir;

        @Parameters(paramLabel = "ID", description = "the key's id (from list)")
        String id;

        @Override
        public Integer call() {
            if (!keys(dataDir).revoke(id)) {
                System.err.println("vectorflow keys: no key with id '" + id + "'");
                return 1;
            }
            System.err.println("vectorflow keys: revoked " + id);
            return 0;
        }
    }
}
