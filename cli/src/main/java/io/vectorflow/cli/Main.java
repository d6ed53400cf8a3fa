package io.vectorflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vectorflow} command. */
@Command(name = "vectorflow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "VectorFlow: a vector database with an embedded data directory.",
        subcommands = {BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        int code = new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        System.exit(code);
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
