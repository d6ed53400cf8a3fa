package io.vectorflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where {@code serve} takes each setting from: the flag, else the file (environment variables sit between, untestable here), else the default. */
class ServeCommandTest {

    private static ServeCommand parse(String... args) {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void flagsOverrideTheFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("vectorflow.yaml");
        Files.writeString(yaml, "port: 7001\nhost: 127.0.0.2\ndurability: async\nrecall_sample_share: 0.5\n");
        ServeCommand.Settings s = parse("--config", yaml.toString(), "--port", "7002").resolve();
        assertThat(s.port()).isEqualTo(7002);                      // flag beats file
        assertThat(s.host()).isEqualTo("127.0.0.2");                // file beats default
        assertThat(s.durability().name()).isEqualTo("ASYNC");
        assertThat(s.recallShare()).isEqualTo(0.5);
        assertThat(s.grpcPort()).isEqualTo(6334);                   // default
        assertThat(s.maxBody()).isEqualTo(32L << 20);
        assertThat(s.data()).isEqualTo(Path.of("./vectorflow-data"));
    }

    @Test
    void badSettingsAreNamed(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "prot: 7001\n");
        assertThatThrownBy(() -> parse("--config", yaml.toString()).resolve()).hasMessageContaining("unknown setting 'prot'");
        assertThatThrownBy(() -> parse("--port", "70000", "--config", dir.resolve("none.yaml").toString()).resolve())
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        Files.writeString(yaml, "{}\n");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--port", "70000").resolve()).hasMessageContaining("port");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--durability", "never").resolve())
                .hasMessageContaining("durability");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--log-format", "xml").resolve())
                .hasMessageContaining("log-format");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--recall-sample-share", "2").resolve())
                .hasMessageContaining("recall-sample-share");
    }

    @Test
    void securitySettingsAreReadAndCheckedForSense(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("vectorflow.yaml");
        Files.writeString(yaml, "api_key: from-the-file\nread_only_api_key: reader\n");
        ServeCommand.Settings s = parse("--config", yaml.toString(), "--api-key", "from-the-flag").resolve();
        assertThat(s.keys().apiKey()).isEqualTo("from-the-flag");
        assertThat(s.keys().readOnlyApiKey()).isEqualTo("reader");
        assertThat(s.tls()).isNull();
        assertThat(s.encryption()).isNull();
        Files.writeString(yaml, "{}\n");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--tls-cert", "x.crt").resolve()).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--tls-cert", "x.crt", "--tls-key", "x.key").resolve())
                .hasMessageContaining("tls-cert");
        Path key = dir.resolve("vf.key");
        Files.writeString(key, "00".repeat(16));
        assertThatThrownBy(() -> parse("--config", yaml.toString(), "--encryption-key-file", key.toString()).resolve())
                .hasMessageContaining("32 bytes");
        Files.writeString(key, "ab".repeat(32) + "\n");
        assertThat(parse("--config", yaml.toString(), "--encryption-key-file", key.toString()).resolve().encryption()).isNotNull();
    }

    @Test
    void keysAreCreatedListedAndRevokedFromTheCommandLine(@TempDir Path dir) {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine keys = new CommandLine(new KeysCommand());
        keys.setOut(new java.io.PrintWriter(out));
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            assertThat(keys.execute("create", "--data-dir", dir.toString(), "--name", "ci", "--role", "read-only",
                    "--collections", "docs,faq")).isZero();
            String secret = printed.toString().strip();
            assertThat(secret).startsWith("vf_");
            var stored = io.vectorflow.server.auth.ApiKeys.in(dir).find(secret).orElseThrow();
            assertThat(stored.collections()).containsOnlyKeys("docs", "faq");
            printed.reset();
            assertThat(keys.execute("list", "--data-dir", dir.toString())).isZero();
            assertThat(printed.toString()).contains(stored.id()).contains("read-only").contains("docs,faq").doesNotContain(secret);
            assertThat(keys.execute("revoke", "--data-dir", dir.toString(), stored.id())).isZero();
            assertThat(io.vectorflow.server.auth.ApiKeys.in(dir).find(secret)).isEmpty();
            assertThat(keys.execute("revoke", "--data-dir", dir.toString(), stored.id())).isEqualTo(1);
            assertThat(keys.execute("create", "--data-dir", dir.toString(), "--name", "x", "--role", "owner")).isNotZero();
        } finally {
            System.setOut(stdout);
        }
    }
}
