package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;

/**
 * Appends each message to a file, as a CSV row or a JSON Lines record, for hosts that hand
 * audiences or mailings to another system by file.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code path} (required): the file; its directory must exist and be writable;
 *   <li>{@code format} (required): {@code csv} or {@code jsonl};
 *   <li>{@code columns} (required for csv, refused for jsonl): comma-separated payload keys,
 *       one per column; a name starting with {@code @} is a field of the message instead:
 *       {@code @idempotencyKey}, {@code @workspace}, {@code @profile}, {@code @rule},
 *       {@code @channel}, {@code @purpose}, {@code @trigger}, {@code @attempt},
 *       {@code @decidedAt};
 *   <li>{@code sync}: {@code true} to force every record to the storage device before the
 *       delivery counts (default {@code false}: each record is handed to the operating system
 *       before the delivery counts);
 *   <li>{@code addresses}: identifier types to hand the channel as recipients, most preferred
 *       first ({@code email,phone}); JSON Lines records list them. None by default.
 * </ul>
 *
 * <p>JSON Lines records are the webhook's body, one per line. CSV follows RFC 4180: fields
 * with a comma, a double quote or a line break are quoted, quotes doubled, lines end in CRLF;
 * a missing or {@code null} payload value is an empty field, a list or map is written as JSON;
 * the header row of the column names is written when the file is new or empty. Values are
 * written as they are: a spreadsheet may read a field starting with {@code =} as a formula.
 * The file is opened for each record, so a file moved away is started anew.
 *
 * <p>There is no consent channel by default: the registration must name one.
 *
 * <p>Thread-safe. Its channels are thread-safe too: records are appended whole, one at a
 * time. Two channels must not share a file.
 */
public final class FileExportChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "file";

  /** Does nothing: the work is done in {@link #create}. */
  public FileExportChannelProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code path}, {@code format} or {@code columns} is
   *     missing or invalid
   */
  @Override
  public Channel create(ChannelContext context) {
    return new FileExportChannel(context);
  }

  @Override
  public String toString() {
    return "FileExportChannelProvider";
  }
}
