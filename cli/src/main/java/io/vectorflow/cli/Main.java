package io.vectorflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vectorflow} command. */
@Command(name = "vectorflow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "VectorFlow: a vector database with an embedded data directory.",
        subcommands = {ServeCommand.class, KeysCommand.class, ImportCommand.class, MigrateCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line. Failures the user can act on (a missing file, bad data) print
     * one line naming the problem instead of a stack trace; {@code VECTORFLOW_DEBUG=1} shows it.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (System.getenv("VECTORFLOW_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof java.nio.file.NoSuchFileException) {
                message = "file not found: " + message;
            }
            commandLine.getErr().println("vectorflow " + commandLine.getCommandName() + ": " + message);
            commandLine.getErr().flush();
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vectorflow " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
