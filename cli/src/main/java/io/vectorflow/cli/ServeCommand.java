package io.vectorflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vectorflow.engine.Database;
import io.vectorflow.engine.perf.CostModel;
import io.vectorflow.server.VectorFlowServer;
import io.vectorflow.storage.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vectorflow serve}: the database server. Every setting comes from its flag, else its
 * environment variable, else {@code vectorflow.yaml} in the working directory (or
 * {@code --config FILE}), else the default.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the VectorFlow server over the data directory: the Qdrant-shaped REST API, the gRPC API and /metrics.",
                "Settings: flag, else environment variable, else vectorflow.yaml (or --config FILE), else default."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file (default: ./vectorflow.yaml if present)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (VECTORFLOW_DATA_DIR; default ./vectorflow-data)")
    String dataDir;

    @Option(names = "--host", description = "listen address (VECTORFLOW_HOST; default 127.0.0.1)")
    String host;

    @Option(names = "--port", description = "REST port (VECTORFLOW_PORT; default 6333)")
    String port;

    @Option(names = "--grpc-port", description = "gRPC port (VECTORFLOW_GRPC_PORT; default 6334; -1 serves no gRPC)")
    String grpcPort;

    @Option(names = "--otlp-endpoint", description = "send request traces over OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318 "
            + "(VECTORFLOW_OTLP_ENDPOINT; default: no tracing)")
    String otlpEndpoint;

    @Option(names = "--log-format", description = "text or json: one JSON object per line with request ids "
            + "(VECTORFLOW_LOG_FORMAT; default text)")
    String logFormat;

    @Option(names = "--durability", description = "fsync or async (VECTORFLOW_DURABILITY; default fsync); "
            + "a collection's wal_config.durability overrides it")
    String durability;

    @Option(names = "--max-request-mb", description = "largest request body in MiB (VECTORFLOW_MAX_REQUEST_MB; default 32)")
    String maxRequestMb;

    @Option(names = "--recall-sample-share", description = "share of searches re-run exactly to estimate recall "
            + "(VECTORFLOW_RECALL_SAMPLE_SHARE; default 0.1; 0 turns it off)")
    String recallShare;

    @Option(names = "--warmup", description = "true or false: compile the search path at start, before /readyz says ready "
            + "(VECTORFLOW_WARMUP; default true; a few seconds of CPU)")
    String warmup;

    @Option(names = "--price-core-second", description = "USD per CPU core-second in cost estimates (VECTORFLOW_PRICE_CORE_SECOND)")
    String priceCpu;

    @Option(names = "--price-gb-memory", description = "USD per GB read from memory (VECTORFLOW_PRICE_GB_MEMORY)")
    String priceMemory;

    @Option(names = "--price-gb-disk", description = "USD per GB read from disk (VECTORFLOW_PRICE_GB_DISK)")
    String priceDisk;

    @Option(names = "--price-gb-month-memory", description = "USD per GB kept in RAM for a month, for collections' monthly "
            + "storage cost (VECTORFLOW_PRICE_GB_MONTH_MEMORY; default 3.5)")
    String priceMonthMemory;

    @Option(names = "--price-gb-month-disk", description = "USD per GB kept on disk for a month (VECTORFLOW_PRICE_GB_MONTH_DISK; "
            + "default 0.08)")
    String priceMonthDisk;

    @Option(names = "--api-key", description = "admin API key, full access; clients send it as header 'api-key' or 'Authorization:"
            + " Bearer' (VECTORFLOW_API_KEY; default none: the server then only listens on loopback)")
    String apiKey;

    @Option(names = "--read-only-api-key", description = "API key that can only read (VECTORFLOW_READ_ONLY_API_KEY)")
    String readOnlyApiKey;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "serve REST and gRPC over TLS with this certificate chain "
            + "(VECTORFLOW_TLS_CERT; needs --tls-key)")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the certificate's private key, PKCS#8 (VECTORFLOW_TLS_KEY)")
    String tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM", description = "require client certificates signed by these CAs "
            + "(VECTORFLOW_TLS_CLIENT_CA)")
    String tlsClientCa;

    @Option(names = "--encryption-key-file", paramLabel = "FILE", description = "encrypt logs and snapshots at rest with the"
            + " 32-byte key in this file, as 64 hex digits or base64 (VECTORFLOW_ENCRYPTION_KEY holds the key itself)")
    String encryptionKeyFile;

    @Option(names = "--object-store", paramLabel = "URL", description = "where sealed segments' float vectors go when a collection's"
            + " tiering_config moves them out: file:///dir or s3://bucket/prefix?endpoint=URL&region=R (VECTORFLOW_OBJECT_STORE;"
            + " default none)")
    String objectStore;

    @Option(names = "--tier-cache-mb", description = "most MB of vectors fetched from object storage kept in memory"
            + " (VECTORFLOW_TIER_CACHE_MB; default 256)")
    String tierCacheMb;

    @Option(names = "--tier-io-mb-per-second", description = "transfer budget of background tier moves (VECTORFLOW_TIER_IO_MB_PER_SECOND;"
            + " default 50; 0 for none)")
    String tierIo;

    @Option(names = "--tier-interval-seconds", description = "pause between placement rounds (VECTORFLOW_TIER_INTERVAL_SECONDS; default 10)")
    String tierInterval;

    @Option(names = "--price-gb-object", description = "USD per GB fetched from object storage (VECTORFLOW_PRICE_GB_OBJECT)")
    String priceObject;

    @Option(names = "--price-gb-month-object", description = "USD per GB kept in object storage for a month"
            + " (VECTORFLOW_PRICE_GB_MONTH_OBJECT; default 0.023)")
    String priceMonthObject;

    private static final Set<String> FILE_KEYS = Set.of("object_store", "tier_cache_mb", "tier_io_mb_per_second",
            "tier_interval_seconds", "price_gb_object", "price_gb_month_object","data_dir", "host", "port", "grpc_port", "otlp_endpoint", "log_format",
            "durability", "max_request_mb", "api_key", "read_only_api_key", "tls_cert", "tls_key", "tls_client_ca", "encryption_key_file",
            "recall_sample_share", "warmup", "price_core_second", "price_gb_memory", "price_gb_disk", "price_gb_month_memory",
            "price_gb_month_disk");

    private JsonNode file;

    /** The settings this command runs with, each from its flag, variable, file or default. */
    record Settings(Path data, String host, int port, int grpcPort, String logFormat, String otlp, Durability durability,
                    long maxBody, double recallShare, CostModel prices, boolean warmup, VectorFlowServer.Keys keys,
                    VectorFlowServer.Tls tls, io.vectorflow.storage.crypto.Encryption encryption, String objectStore,
                    long tierCacheBytes, double tierIoMbPerSecond, long tierIntervalMillis) {}

    Settings resolve() throws IOException {
        file = readConfig();
        Path data = Path.of(setting(dataDir, "data_dir", "./vectorflow-data"));
        String listen = setting(host, "host", "127.0.0.1");
        int restPort = integer(setting(port, "port", "6333"), "port", 0, 65_535);
        int rpcPort = integer(setting(grpcPort, "grpc_port", "6334"), "grpc-port", -1, 65_535);
        String format = setting(logFormat, "log_format", "text");
        if (!format.equals("json") && !format.equals("text")) {
            throw new IllegalArgumentException("log-format must be text or json, got '" + format + "'");
        }
        String otlp = setting(otlpEndpoint, "otlp_endpoint", "");
        Durability d = Durability.parse(setting(durability, "durability", "fsync"));
        long maxBody = (long) integer(setting(maxRequestMb, "max_request_mb", "32"), "max-request-mb", 1, 65_536) << 20;
        double share = number(setting(recallShare, "recall_sample_share", "" + Database.Options.DEFAULT_RECALL_SAMPLE_SHARE),
                "recall-sample-share");
        if (share > 1) {
            throw new IllegalArgumentException("recall-sample-share must be between 0 and 1, got " + share);
        }
        CostModel p = CostModel.DEFAULT;
        CostModel prices = new CostModel(number(setting(priceCpu, "price_core_second", "" + p.usdPerCoreSecond()), "price-core-second"),
                number(setting(priceMemory, "price_gb_memory", "" + p.usdPerGbMemory()), "price-gb-memory"),
                number(setting(priceDisk, "price_gb_disk", "" + p.usdPerGbDisk()), "price-gb-disk"),
                number(setting(priceObject, "price_gb_object", "" + p.usdPerGbObjectStore()), "price-gb-object"),
                number(setting(priceMonthMemory, "price_gb_month_memory", "" + p.usdPerGbMonthRam()), "price-gb-month-memory"),
                number(setting(priceMonthDisk, "price_gb_month_disk", "" + p.usdPerGbMonthDisk()), "price-gb-month-disk"),
                number(setting(priceMonthObject, "price_gb_month_object", "" + p.usdPerGbMonthObject()), "price-gb-month-object"));
        String store = blankToNull(setting(objectStore, "object_store", null));
        long cacheBytes = (long) integer(setting(tierCacheMb, "tier_cache_mb", "256"), "tier-cache-mb", 1, 1 << 20) << 20;
        double tierMbps = number(setting(tierIo, "tier_io_mb_per_second", "" + io.vectorflow.engine.TierSettings.DEFAULT_IO_MB_PER_SECOND),
                "tier-io-mb-per-second");
        long intervalMillis = integer(setting(tierInterval, "tier_interval_seconds", "10"), "tier-interval-seconds", 1, 86_400) * 1000L;
        String warm = setting(warmup, "warmup", "true");
        if (!warm.equals("true") && !warm.equals("false")) {
            throw new IllegalArgumentException("warmup must be true or false, got '" + warm + "'");
        }
        VectorFlowServer.Keys keys = new VectorFlowServer.Keys(blankToNull(setting(apiKey, "api_key", null)),
                blankToNull(setting(readOnlyApiKey, "read_only_api_key", null)));
        String cert = blankToNull(setting(tlsCert, "tls_cert", null));
        String key = blankToNull(setting(tlsKey, "tls_key", null));
        String ca = blankToNull(setting(tlsClientCa, "tls_client_ca", null));
        if ((cert == null) != (key == null) || ca != null && cert == null) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key (and --tls-client-ca only with them)");
        }
        VectorFlowServer.Tls tls = cert == null ? null : new VectorFlowServer.Tls(existing(cert, "tls-cert"), existing(key, "tls-key"),
                ca == null ? null : existing(ca, "tls-client-ca"));
        String keyFile = blankToNull(encryptionKeyFile != null ? encryptionKeyFile : file != null && file.hasNonNull("encryption_key_file")
                ? file.get("encryption_key_file").asText() : null);
        String keyText = keyFile != null ? Files.readString(existing(keyFile, "encryption-key-file"))
                : blankToNull(System.getenv("VECTORFLOW_ENCRYPTION_KEY"));
        io.vectorflow.storage.crypto.Encryption encryption = keyText == null ? null
                : io.vectorflow.storage.crypto.Encryption.withKey(io.vectorflow.storage.crypto.Encryption.parseKey(keyText));
        return new Settings(data, listen, restPort, rpcPort, format, otlp, d, maxBody, share, prices, warm.equals("true"), keys, tls,
                encryption, store, cacheBytes, tierMbps, intervalMillis);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Path existing(String file, String option) {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(option + ": cannot read '" + file + "'");
        }
        return p;
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = resolve();
        if (settings.logFormat().equals("json")) {
            System.setProperty("logback.configurationFile", "logback-json.xml"); // before the first logger exists
        }
        Path data = settings.data();
        String listen = settings.host();
        int restPort = settings.port();
        int rpcPort = settings.grpcPort();
        String otlp = settings.otlp();
        Durability d = settings.durability();
        long maxBody = settings.maxBody();
        double share = settings.recallShare();
        CostModel prices = settings.prices();

        Database.Options options = Database.Options.defaults().withDurability(d).withRecallSampling(share).withPrices(prices)
                .withEncryption(settings.encryption());
        if (settings.objectStore() != null) {
            options = options.withTiers(new io.vectorflow.engine.TierSettings(ObjectStores.open(settings.objectStore()),
                    settings.tierCacheBytes(), settings.tierIoMbPerSecond(), settings.tierIntervalMillis()));
        }
        Database db = Database.open(data, options);
        VectorFlowServer server;
        try {
            server = VectorFlowServer.start(db, VectorFlowServer.Settings.of(listen, restPort).withGrpcPort(rpcPort)
                    .withMaxRequestBytes(maxBody).withOpenTelemetry(otlp.isBlank() ? null : VectorFlowServer.otlpTracing(otlp))
                    .withWarmup(settings.warmup()).withKeys(settings.keys()).withTls(settings.tls()));
        } catch (RuntimeException e) {
            db.close();
            throw new IllegalStateException("cannot listen on " + listen + " ports " + restPort + "/" + rpcPort + ": "
                    + rootMessage(e), e);
        }
        Thread shutdown = new Thread(() -> {
            System.err.println("vectorflow: shutting down (finishing requests in flight)...");
            server.close();
            db.close();
            System.err.println("vectorflow: stopped; every acknowledged write is on disk");
        }, "vectorflow-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        db.failedCollections().forEach((name, why) -> System.err.println("vectorflow: collection '" + name
                + "' could not be opened: " + why));
        String shown = listen.contains(":") ? "[" + listen + "]" : listen;
        System.err.printf("vectorflow %s: REST API on %s://%s:%d, gRPC %s, metrics at /metrics%s (data in %s, %d collections,"
                        + " durability %s, %s)%n", VectorFlowServer.VERSION, settings.tls() == null ? "http" : "https", shown, server.port(),
                server.grpcPort() < 0 ? "off" : "on " + shown + ":" + server.grpcPort(),
                otlp.isBlank() ? "" : ", traces to " + otlp, data.toAbsolutePath().normalize(), db.listCollections().size(),
                d.name().toLowerCase(), settings.keys().apiKey() != null || settings.keys().readOnlyApiKey() != null
                        || !io.vectorflow.server.auth.ApiKeys.in(data).isEmpty() ? "API keys required"
                        : "no API keys: loopback only, every local client has full access");
        server.awaitStop();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private JsonNode readConfig() throws IOException {
        Path f = config != null ? config : Path.of("vectorflow.yaml");
        if (!Files.exists(f)) {
            if (config != null) {
                throw new java.nio.file.NoSuchFileException(f.toString());
            }
            return null;
        }
        JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(f.toFile());
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(f + ": expected a map of settings");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FILE_KEYS.contains(k)) {
                throw new IllegalArgumentException(f + ": unknown setting '" + k + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(FILE_KEYS)) + ")");
            }
        }
        return n;
    }

    /** Flag, else environment variable VECTORFLOW_<KEY>, else the config file, else the default. */
    private String setting(String flag, String key, String fallback) {
        if (flag != null) {
            return flag;
        }
        String env = System.getenv("VECTORFLOW_" + key.toUpperCase());
        if (env != null && !env.isBlank()) {
            return env;
        }
        if (file != null && file.hasNonNull(key)) {
            return file.get(key).asText();
        }
        return fallback;
    }

    private static int integer(String text, String name, int min, int max) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be an integer between " + min + " and " + max + ", got '" + text + "'");
    }

    private static double number(String text, String name) {
        try {
            double v = Double.parseDouble(text.trim());
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number of at least 0, got '" + text + "'");
    }

}
