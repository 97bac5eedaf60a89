package io.cdpkit.activation.channels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends records to a file: opened for each record, written whole, optionally forced to disk,
 * closed. Keeping no file open means a file moved away (rotated) is simply started anew.
 * Callers serialise calls for one file. Stateless.
 */
final class AppendFile {
  private AppendFile() {}

  /**
   * Appends {@code record}, preceded by {@code header} when the file is new or empty.
   *
   * @param sync whether to force the bytes to the storage device before returning
   */
  static void append(Path file, byte[] header, byte[] record, boolean sync) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buf;
      if (header.length > 0 && ch.size() == 0) {
        buf = ByteBuffer.allocate(header.length + record.length);
        buf.put(header).put(record).flip();
      } else {
        buf = ByteBuffer.wrap(record);
      }
      // One buffer, one write loop: a record is never split by another record of this JVM.
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (sync) {
        ch.force(false);
      }
    }
  }
}
