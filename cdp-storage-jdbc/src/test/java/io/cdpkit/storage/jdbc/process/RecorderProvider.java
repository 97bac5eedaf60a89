package io.cdpkit.storage.jdbc.process;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.activation.spi.DeliveryResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Channels that stand for a receiver outside the process: each message is appended to the file
 * named by the config key {@code file} as one line, {@code key,rule,profile,messageId,attempt}
 * (the messageId from the payload's {@code messageId}, {@code -} without one), forced to disk
 * before the channel answers delivered. Before writing it waits 0 to 30 ms, so that a kill is
 * likely to fall between a claim, a send and its outcome. Interrupted (a timeout), it answers a
 * retryable failure, having written or not.
 *
 * <p>Thread-safe: each line is one append of its own.
 */
final class RecorderProvider implements ChannelProvider {
  static final String ID = "recorder";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  @Override
  public String consentChannel() {
    return ID;
  }

  @Override
  public Channel create(ChannelContext context) {
    Path file = Path.of(context.required("file"));
    return message -> {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(31));
        String line = message.idempotencyKey() + "," + message.rule() + ","
            + message.profile().value() + "," + message.text("messageId").orElse("-") + ","
            + message.attempt() + "\n";
        // A channel of its own per line: an interrupt closes the channel it hits, and the next
        // message must still be able to write.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(false);
        }
        // The receiver has it; its answer takes a while to come back, as over a network.
        Thread.sleep(ThreadLocalRandom.current().nextInt(21));
        return DeliveryResult.delivered();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return DeliveryResult.retryable("interrupted");
      } catch (IOException e) {
        return DeliveryResult.retryable(e.getClass().getSimpleName());
      }
    };
  }

  /** A line of the file. */
  record Line(String key, String rule, String profile, String messageId, int attempt) {}

  /**
   * The lines of a recorder file (none when it does not exist yet).
   *
   * @throws IllegalStateException on a line that is not whole: a send was recorded half
   */
  static List<Line> read(Path file) throws IOException {
    List<Line> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalStateException("the recorder file ends with half a line");
    }
    for (String l : text.split("\n")) {
      if (l.isEmpty()) {
        continue;
      }
      String[] f = l.split(",", -1);
      if (f.length != 5) {
        throw new IllegalStateException("not a recorder line: " + l);
      }
      out.add(new Line(f[0], f[1], f[2], f[3], Integer.parseInt(f[4])));
    }
    return out;
  }
}
