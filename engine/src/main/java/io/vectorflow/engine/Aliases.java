package io.vectorflow.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorflow.storage.Names;
import io.vectorflow.storage.io.Disk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Collection aliases (Qdrant's {@code POST /collections/aliases}): other names a collection
 * answers to, so an application can switch from one collection to another in one step. A batch
 * of actions applies all or nothing.
 *
 * <p>Stored in {@code aliases.json} beside the collections ({@code {"aliases": {"<alias>":
 * "<collection>"}}}), replaced atomically on every change.
 */
public final class Aliases {

    /** One change. */
    public sealed interface Action {
        /** Points {@code alias} at {@code collection} (replacing what it pointed at, if anything). */
        record Create(String collection, String alias) implements Action {}

        /** Removes {@code alias}. */
        record Delete(String alias) implements Action {}

        /** Gives the alias {@code from} the name {@code to}. */
        record Rename(String from, String to) implements Action {}
    }

    private final Disk disk;
    private final Path file;
    private volatile Map<String, String> byAlias;

    private Aliases(Disk disk, Path file, Map<String, String> byAlias) {
        this.disk = disk;
        this.file = file;
        this.byAlias = byAlias;
    }

    static Aliases open(Disk disk, Path file) {
        Map<String, String> m = new TreeMap<>();
        try {
            if (Files.exists(file)) {
                JsonNode aliases = Json.MAPPER.readTree(Files.readAllBytes(file)).path("aliases");
                aliases.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new Aliases(disk, file, Collections.unmodifiableMap(m));
    }

    /** The collection {@code alias} names, or null. */
    public String resolve(String alias) {
        return byAlias.get(alias);
    }

    /** Every alias and its collection, by alias. */
    public Map<String, String> all() {
        return byAlias;
    }

    /** The aliases of {@code collection}, sorted. */
    public List<String> of(String collection) {
        return byAlias.entrySet().stream().filter(e -> e.getValue().equals(collection)).map(Map.Entry::getKey).toList();
    }

    /**
     * Applies {@code actions} in order, all or nothing.
     *
     * @param exists whether a collection of that name exists
     * @throws IllegalArgumentException naming the action that cannot be applied (nothing changes)
     * @throws NotFoundException when an action names a collection or alias that does not exist
     */
    synchronized void apply(List<Action> actions, Predicate<String> exists) throws IOException {
        Map<String, String> next = new TreeMap<>(byAlias);
        for (int i = 0; i < actions.size(); i++) {
            String at = "actions[" + i + "]";
            switch (actions.get(i)) {
                case Action.Create c -> {
                    Names.collection(c.alias());
                    if (!exists.test(c.collection())) {
                        throw new NotFoundException(at + ".create_alias: collection '" + c.collection() + "' does not exist");
                    }
                    if (exists.test(c.alias())) {
                        throw new IllegalArgumentException(at + ".create_alias: '" + c.alias() + "' is the name of a collection");
                    }
                    next.put(c.alias(), c.collection());
                }
                case Action.Delete d -> {
                    if (next.remove(d.alias()) == null) {
                        throw new NotFoundException(at + ".delete_alias: alias '" + d.alias() + "' does not exist");
                    }
                }
                case Action.Rename r -> {
                    String target = next.remove(r.from());
                    if (target == null) {
                        throw new NotFoundException(at + ".rename_alias: alias '" + r.from() + "' does not exist");
                    }
                    Names.collection(r.to());
                    if (exists.test(r.to())) {
                        throw new IllegalArgumentException(at + ".rename_alias: '" + r.to() + "' is the name of a collection");
                    }
                    next.put(r.to(), target);
                }
            }
        }
        save(next);
    }

    /** Forgets the aliases of a dropped collection. */
    synchronized void dropped(String collection) throws IOException {
        Map<String, String> next = new TreeMap<>(byAlias);
        if (next.values().removeIf(collection::equals)) {
            save(next);
        }
    }

    private void save(Map<String, String> next) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode a = root.putObject("aliases");
        next.forEach(a::put);
        Files.createDirectories(file.getParent());
        disk.writeAtomically(file, ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(root)));
        byAlias = Collections.unmodifiableMap(next);
    }
}
