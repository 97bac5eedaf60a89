package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.storage.jdbc.PiiCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The journaled layout's snapshot files, in a directory of their own beside the database file:
 * one file per workspace snapshot, named by a random id (so no name says whose it is), written
 * to a temporary name, forced to the disk and renamed, and only then recorded in
 * {@code cdp_snapshots}. A file holds a header (format, whether bodies are protected), frames
 * (journal bodies, or with a protecting codec their protected text bound to the workspace and
 * {@value #COLUMN}), an end mark and a CRC-32 of everything before it; reading checks the size
 * recorded in the database, the workspace and the CRC, so a torn or altered file fails the
 * open rather than loading half a workspace. H2 file databases are written sequentially here,
 * which is many times faster than storing large values in H2's pages.
 *
 * <p>Thread-safe (each writer is used by one thread).
 */
final class SnapshotFiles {
  /** The codec's column name of protected snapshot bodies. */
  static final String COLUMN = "cdp_snapshots.body";

  private static final String SUFFIX = ".snapshot";
  private static final String TEMP_SUFFIX = ".snapshot.tmp";
  private static final int MAGIC = 0x43445053; // "CDPS"
  private static final int FORMAT = 1;

  private final Path directory;
  private final PiiCodec pii;
  private final boolean plain;

  SnapshotFiles(Path directory, PiiCodec pii) {
    this.directory = directory;
    this.pii = pii;
    this.plain = pii == PiiCodec.IDENTITY;
  }

  /** A new snapshot file of {@code ws}, written to a temporary name until {@link Writer#finish}. */
  Writer writer(String ws) {
    try {
      Files.createDirectories(directory);
      return new Writer(ws, directory.resolve(UUID.randomUUID() + TEMP_SUFFIX));
    } catch (IOException e) {
      throw new StorageException("creating a snapshot file failed", true, e);
    }
  }

  /** One snapshot file being written. */
  final class Writer {
    private final String ws;
    private final Path temp;
    private final FileOutputStream file;
    private final CRC32 crc = new CRC32();
    private final DataOutputStream out;
    private long bytes;

    private Writer(String ws, Path temp) throws IOException {
      this.ws = ws;
      this.temp = temp;
      this.file = new FileOutputStream(temp.toFile());
      this.out = new DataOutputStream(new CheckedOutputStream(
          new BufferedOutputStream(file, 1 << 16), crc));
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeBoolean(plain);
      out.writeUTF(ws);
    }

    /** Appends one body. */
    void add(byte[] body) {
      addFrame(plain ? body : pii.protect(ws, COLUMN,
          Base64.getEncoder().encodeToString(body)).getBytes(StandardCharsets.UTF_8));
    }

    /** Appends one frame as stored: a body, or as another file of this workspace holds it. */
    private void addFrame(byte[] frame) {
      try {
        out.writeInt(frame.length);
        out.write(frame);
      } catch (IOException e) {
        throw new StorageException("writing a snapshot file failed", true, e);
      }
    }

    /**
     * Ends the file, forces it to the disk, and gives it its final name.
     *
     * @return the file's name in the directory
     */
    String finish() {
      try {
        out.writeInt(-1);
        out.flush();
        long sum = crc.getValue();
        file.write(new byte[] {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8),
            (byte) sum});
        file.getFD().sync();
        out.close();
        String name = temp.getFileName().toString();
        name = name.substring(0, name.length() - TEMP_SUFFIX.length()) + SUFFIX;
        Files.move(temp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
          d.force(true);
        } catch (IOException e) {
          // Not every file system lets a directory be forced; the rename is done either way.
        }
        bytes = Files.size(directory.resolve(name));
        return name;
      } catch (IOException e) {
        abandon();
        throw new StorageException("writing a snapshot file failed", true, e);
      }
    }

    /** The finished file's size. */
    long bytes() {
      return bytes;
    }

    /** Closes and deletes the temporary file. */
    void abandon() {
      try {
        out.close();
      } catch (IOException e) {
        // deleting it anyway
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // a leftover the next open deletes
      }
    }
  }

  /**
   * Reads a snapshot file, handing each body to {@code bodies}.
   *
   * @throws StorageException (not retryable, naming no data) when the file is missing, of
   *     another size or workspace, or fails its check
   */
  void read(String ws, String name, long expectedBytes, Consumer<byte[]> bodies) {
    scan(ws, name, expectedBytes, true, frame -> bodies.accept(plain ? frame
        : Base64.getDecoder().decode(pii.reveal(ws, COLUMN,
            new String(frame, StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII))));
  }

  /**
   * Copies the frames of a snapshot file of {@code ws} into {@code out} as they are, without
   * decoding (or, with a protecting codec, revealing) them: they are bound to the same
   * workspace and column. The file is checked as {@link #read} checks it; when the check fails
   * after frames were copied, this throws and {@code out} must be abandoned.
   */
  void copy(String ws, String name, long expectedBytes, Writer out) {
    scan(ws, name, expectedBytes, false, out::addFrame);
  }

  /**
   * Reads the frames of a file, checking it; {@code decoding}: a frame {@code frames} fails on
   * is read past to tell damage from a body this version cannot read (else its failure ends
   * the scan).
   */
  private void scan(String ws, String name, long expectedBytes, boolean decoding,
      Consumer<byte[]> frames) {
    Path path = directory.resolve(name);
    try {
      if (!name.endsWith(SUFFIX) || name.contains("/") || !Files.isRegularFile(path)) {
        throw damaged(name, "is missing");
      }
      if (Files.size(path) != expectedBytes) {
        throw damaged(name, "has another size than recorded");
      }
      CRC32 crc = new CRC32();
      try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
        DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
        if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
          throw damaged(name, "is not a snapshot of a known format");
        }
        RuntimeException unreadable = null;
        boolean framesPlain = in.readBoolean();
        if (framesPlain != plain) {
          throw damaged(name, framesPlain ? "is not encrypted, but the store is"
              : "is protected by a codec, but the store has none");
        }
        if (!in.readUTF().equals(ws)) {
          throw damaged(name, "belongs to another workspace");
        }
        while (true) {
          int length = in.readInt();
          if (length == -1) {
            break;
          }
          if (length < 0) {
            throw damaged(name, "has a frame of negative length");
          }
          byte[] frame = in.readNBytes(length);
          if (frame.length != length) {
            throw damaged(name, "ends inside a frame");
          }
          if (!decoding) {
            frames.accept(frame);
          } else if (unreadable == null) {
            try {
              frames.accept(frame);
            } catch (RuntimeException e) {
              // Bodies are read as they come, before the check sum at the end can be compared:
              // an altered byte usually shows here first. Read on to tell damage from a body
              // this version cannot read.
              unreadable = e;
            }
          }
        }
        long sum = crc.getValue();
        byte[] stored = raw.readNBytes(4);
        byte[] want = {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum};
        if (!Arrays.equals(stored, want) || raw.read() != -1) {
          throw damaged(name, "fails its check sum");
        }
        if (unreadable != null) {
          throw new StorageException("the snapshot file " + name + " holds a body that cannot be"
              + " read", false, unreadable);
        }
      }
    } catch (EOFException e) {
      throw damaged(name, "ends early");
    } catch (IOException e) {
      throw new StorageException("reading the snapshot file " + name + " failed", true, e);
    }
  }

  private static StorageException damaged(String name, String why) {
    return new StorageException("the snapshot file " + name + " " + why, false, null);
  }

  /** Deletes a snapshot file (replaced, or written for a snapshot that was not recorded). */
  void delete(String name) {
    try {
      Files.deleteIfExists(directory.resolve(name));
    } catch (IOException e) {
      // the next open deletes it (it is not recorded)
    }
  }

  /** Deletes every snapshot and temporary file of the directory but those named. */
  void deleteAllBut(Set<String> keep) {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory)) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if ((n.endsWith(SUFFIX) || n.endsWith(TEMP_SUFFIX)) && !keep.contains(n)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("deleting old snapshot files failed", true, e);
    }
  }
}
