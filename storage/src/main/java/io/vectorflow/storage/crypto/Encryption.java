package io.vectorflow.storage.crypto;

import io.vectorflow.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of the write-ahead log's records and of snapshot archives, with AES-256-GCM
 * under keys derived from one 32-byte master key (HMAC-SHA256 of the master key over
 * {@code "vectorflow wal"} and {@code "vectorflow snapshot"}).
 *
 * <h2>Log records</h2>
 * An encrypted record's payload reads {@code "VFE1"} (4 bytes) · a random 12-byte nonce ·
 * ciphertext with its 16-byte tag ({@link #OVERHEAD} bytes more than the plain record). A payload
 * that does not start with the marker is a plain record written before encryption was turned on,
 * and is read as it is (no plain record starts with it: their first byte is a small type code).
 *
 * <h2>Snapshot archives</h2>
 * {@code "VFSE"} · u32 version (1) · an 8-byte random prefix; then chunks of at most 64 KiB of
 * plaintext, each u32 length (little-endian) · ciphertext and tag, under the nonce prefix · u32
 * chunk number, with the length and a last-chunk flag as associated data. The last chunk carries
 * the flag and is shorter than a full one (it may be empty), so a truncated archive is refused
 * rather than read short.
 */
public final class Encryption {

    /** Bytes an encrypted log record has beyond its plain payload. */
    public static final int OVERHEAD = 4 + 12 + 16;
    private static final int RECORD_MAGIC = 0x31454656; // "VFE1" little-endian
    private static final byte[] ARCHIVE_MAGIC = "VFSE".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 64 << 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec walKey;
    private final SecretKeySpec snapshotKey;

    private Encryption(byte[] master) {
        this.walKey = new SecretKeySpec(derive(master, "vectorflow wal"), "AES");
        this.snapshotKey = new SecretKeySpec(derive(master, "vectorflow snapshot"), "AES");
    }

    /**
     * Encryption under {@code master}, 32 bytes.
     *
     * @throws IllegalArgumentException for a key of another length
     */
    public static Encryption withKey(byte[] master) {
        if (master == null || master.length != 32) {
            throw new IllegalArgumentException("the encryption key must be 32 bytes (64 hex digits or 44 base64 characters), got "
                    + (master == null ? "none" : master.length + " bytes"));
        }
        return new Encryption(master.clone());
    }

    /** A key from its text form: 64 hex digits or base64 of 32 bytes. */
    public static byte[] parseKey(String text) {
        String t = text.strip();
        try {
            if (t.matches("[0-9a-fA-F]{64}")) {
                return java.util.HexFormat.of().parseHex(t);
            }
            return java.util.Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the encryption key must be 64 hex digits or base64 of 32 bytes");
        }
    }

    private static byte[] derive(byte[] master, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a log record's payload is an encrypted one. */
    public static boolean isSealed(ByteBuffer payload) {
        return payload.remaining() >= OVERHEAD
                && payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(payload.position()) == RECORD_MAGIC;
    }

    /** The encrypted form of a log record's payload. */
    public ByteBuffer seal(ByteBuffer plain) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, walKey, new GCMParameterSpec(128, nonce));
            ByteBuffer out = ByteBuffer.allocate(OVERHEAD + plain.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(RECORD_MAGIC).put(nonce);
            c.doFinal(plain.duplicate(), out);
            return out.flip();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A log record's plain payload: decrypted when it is sealed, as it is otherwise.
     *
     * @throws StorageException when the record does not decrypt under this key
     */
    public ByteBuffer open(ByteBuffer payload) {
        if (!isSealed(payload)) {
            return payload;
        }
        ByteBuffer p = payload.duplicate();
        p.position(p.position() + 4);
        byte[] nonce = new byte[12];
        p.get(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, walKey, new GCMParameterSpec(128, nonce));
            ByteBuffer out = ByteBuffer.allocate(p.remaining() - 16).order(ByteOrder.LITTLE_ENDIAN);
            c.doFinal(p, out);
            return out.flip();
        } catch (AEADBadTagException e) {
            throw new StorageException("a log record does not decrypt under this encryption key: a wrong key, or damage");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A log record's plain payload when no key is set.
     *
     * @throws StorageException naming the setting when the record is encrypted
     */
    public static ByteBuffer openWithoutKey(ByteBuffer payload) {
        if (isSealed(payload)) {
            throw new StorageException("this collection's log is encrypted: start with the encryption key"
                    + " (--encryption-key-file or VECTORFLOW_ENCRYPTION_KEY)");
        }
        return payload;
    }

    /** Whether an archive starts as an encrypted one ({@code head}: its first bytes, at least 4). */
    public static boolean isEncryptedArchive(byte[] head) {
        return head.length >= 4 && java.util.Arrays.equals(head, 0, 4, ARCHIVE_MAGIC, 0, 4);
    }

    /** A stream that writes an encrypted archive of what is written to it into {@code out}; closing it writes the last chunk. */
    public OutputStream encrypting(OutputStream out) throws IOException {
        byte[] prefix = new byte[8];
        RANDOM.nextBytes(prefix);
        out.write(ARCHIVE_MAGIC);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(1).array());
        out.write(prefix);
        return new FilterOutputStream(out) {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream(CHUNK);
            private int chunk;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                pending.write(b);
                if (pending.size() == CHUNK) {
                    flushChunk(false);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, CHUNK - pending.size());
                    pending.write(b, off, n);
                    off += n;
                    len -= n;
                    if (pending.size() == CHUNK) {
                        flushChunk(false);
                    }
                }
            }

            private void flushChunk(boolean last) throws IOException {
                byte[] plain = pending.toByteArray();
                pending.reset();
                byte[] sealed = chunk(Cipher.ENCRYPT_MODE, prefix, chunk++, plain, plain.length, last);
                out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(plain.length).array());
                out.write(sealed);
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    flushChunk(true);
                    out.close();
                }
            }
        };
    }

    /**
     * The plain archive of an encrypted one.
     *
     * @throws IOException (when read) for an archive that is not one of this key, damaged or cut short
     */
    public InputStream decrypting(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] head = new byte[16];
        data.readFully(head);
        if (!isEncryptedArchive(head)) {
            throw new IOException("not an encrypted snapshot");
        }
        byte[] prefix = java.util.Arrays.copyOfRange(head, 8, 16);
        return new InputStream() {
            private byte[] buffer = new byte[0];
            private int pos;
            private int chunk;
            private boolean done;

            private boolean fill() throws IOException {
                while (pos == buffer.length) {
                    if (done) {
                        return false;
                    }
                    byte[] len = new byte[4];
                    try {
                        data.readFully(len);
                    } catch (EOFException e) {
                        throw new IOException("the encrypted snapshot is cut short");
                    }
                    int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    if (n < 0 || n > CHUNK) {
                        throw new IOException("the encrypted snapshot is damaged (a chunk of " + n + " bytes)");
                    }
                    byte[] sealed = new byte[n + 16];
                    data.readFully(sealed);
                    // Full chunks come first; the last one is shorter (or empty) and carries the flag.
                    boolean last = n < CHUNK;
                    byte[] plain = chunk(Cipher.DECRYPT_MODE, prefix, chunk, sealed, n, last);
                    done = last;
                    chunk++;
                    buffer = plain;
                    pos = 0;
                }
                return true;
            }

            @Override
            public int read() throws IOException {
                return fill() ? buffer[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, buffer.length - pos);
                System.arraycopy(buffer, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                data.close();
            }
        };
    }

    private byte[] chunk(int mode, byte[] prefix, int number, byte[] input, int plainLength, boolean last) throws IOException {
        byte[] nonce = ByteBuffer.allocate(12).put(prefix).putInt(number).array();
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, snapshotKey, new GCMParameterSpec(128, nonce));
            c.updateAAD(ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).putInt(plainLength).put((byte) (last ? 1 : 0)).array());
            return c.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new IOException("the encrypted snapshot does not decrypt under this key: a wrong key, or damage");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
