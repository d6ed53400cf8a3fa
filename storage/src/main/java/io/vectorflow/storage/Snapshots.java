package io.vectorflow.storage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Snapshot archives: a collection's files at one point in time, packed as a POSIX tar.
 *
 * <h2>Layout of an archive</h2>
 * <pre>
 * collection.json                     the collection's settings
 * payload_indexes.json                indexed payload fields (optional)
 * MANIFEST                            which segments make it up ({@link Manifest})
 * segments/&lt;n&gt;/&lt;file&gt;                 each named segment's files ({@link io.vectorflow.storage.segment.SealedSegment})
 * </pre>
 * There is no log: a snapshot is taken right after sealing everything in memory.
 *
 * <h2>Hostile archives</h2>
 * Extraction accepts only that layout: regular files whose names match it exactly (so no
 * absolute paths, no {@code ..}, no hidden names), no links, devices or other entry types, and a
 * bounded number of entries. Anything else is refused with a message naming the entry, before a
 * byte of it is written, and files go only into the target directory the caller chose.
 */
public final class Snapshots {

    /** The names an archive may hold. */
    private static final Pattern ALLOWED = Pattern.compile(
            "collection\\.json|payload_indexes\\.json|MANIFEST|segments/\\d{1,18}/(vectors(-\\d{1,2})?\\.f32|graph(-\\d{1,2})?\\.hnsw"
                    + "|ids\\.bin|payloads\\.bin|bloom\\.bin|absent\\.bin|sparse-\\d{1,2}\\.(idx|fwd)|deletes-\\d{1,18}\\.bin"
                    + "|quantized(-\\d{1,2})?\\.bin)");
    private static final Pattern DIRECTORY = Pattern.compile("segments/(\\d{1,18}/)?");
    private static final int MAX_ENTRIES = 1_000_000;

    private Snapshots() {}

    /** Packs the files under {@code dir} into a new tar file {@code archive}. */
    public static void writeTar(Path dir, Path archive) throws IOException {
        writeTar(dir, archive, null);
    }

    /** Packs the files under {@code dir} into a new tar file {@code archive}, encrypted with {@code e} unless it is null. */
    public static void writeTar(Path dir, Path archive, io.vectorflow.storage.crypto.Encryption e) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        OutputStream file = new BufferedOutputStream(Files.newOutputStream(archive, java.nio.file.StandardOpenOption.CREATE_NEW));
        try (OutputStream out = e == null ? file : e.encrypting(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path f : files) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(Files.size(f));
                tar.putArchiveEntry(entry);
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /**
     * Unpacks a snapshot archive into {@code target} (created; must not exist).
     *
     * @throws IllegalArgumentException naming the entry, for anything outside the snapshot layout
     */
    public static void extractTar(InputStream archive, Path target) throws IOException {
        extractTar(archive, target, null);
    }

    /**
     * As {@link #extractTar(InputStream, Path)}, decrypting an encrypted archive with {@code encryption}
     * (a plain one is read as it is).
     *
     * @throws IllegalArgumentException for an encrypted archive and no key
     */
    public static void extractTar(InputStream archive, Path target, io.vectorflow.storage.crypto.Encryption encryption)
            throws IOException {
        BufferedInputStream in = new BufferedInputStream(archive);
        in.mark(16);
        byte[] head = in.readNBytes(4);
        in.reset();
        InputStream plain = in;
        if (io.vectorflow.storage.crypto.Encryption.isEncryptedArchive(head)) {
            if (encryption == null) {
                throw new IllegalArgumentException("the snapshot is encrypted and this server has no encryption key"
                        + " (--encryption-key-file or VECTORFLOW_ENCRYPTION_KEY)");
            }
            plain = new BufferedInputStream(encryption.decrypting(in));
        }
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        int entries = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName();
                if (e.isDirectory() && DIRECTORY.matcher(name).matches()) {
                    continue; // made as files arrive
                }
                if (++entries > MAX_ENTRIES) {
                    throw new IllegalArgumentException("snapshot archive has more than " + MAX_ENTRIES + " entries");
                }
                byte type = e.getLinkFlag();
                if (type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM) {
                    throw new IllegalArgumentException("snapshot archive entry '" + printable(name)
                            + "' is not a regular file (links and special files are refused)");
                }
                if (!ALLOWED.matcher(name).matches()) {
                    throw new IllegalArgumentException("snapshot archive entry '" + printable(name)
                            + "' is not part of a VectorFlow snapshot (absolute paths, '..' and unknown files are refused)");
                }
                Path dest = target.resolve(name).normalize();
                if (!dest.startsWith(target)) {
                    throw new IllegalArgumentException("snapshot archive entry '" + printable(name) + "' points outside the target");
                }
                Files.createDirectories(dest.getParent());
                try {
                    Files.copy(tar, dest);
                } catch (FileAlreadyExistsException dup) {
                    throw new IllegalArgumentException("snapshot archive holds '" + printable(name) + "' twice");
                }
            }
        }
        if (!Files.exists(target.resolve("collection.json")) || !Files.exists(target.resolve(Manifest.FILE))) {
            throw new IllegalArgumentException("snapshot archive lacks collection.json or MANIFEST");
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 120 ? p.substring(0, 120) + "…" : p;
    }

    /** Hard-links (or, across file systems, copies) {@code from} to {@code to}. */
    static void linkOrCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(from, to);
        }
    }
}
