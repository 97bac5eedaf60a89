package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.ChannelProvider;
import io.cdpkit.core.model.Channels;

/**
 * Writes audience membership changes for an ad platform as files of hashed identifiers, ready
 * for an upload job: one line per message in {@code <directory>/<audience>.csv}, with the
 * columns {@code action,email_sha256,phone_sha256}.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code platform} (required): {@code google_ads}, {@code meta_capi} or
 *       {@code snap_capi}, which selects the normalisation rules of {@link AudienceHashing};
 *   <li>{@code directory} (required): an existing, writable directory;
 *   <li>{@code sync}: {@code true} to force every line to the storage device before the
 *       delivery counts (default {@code false}).
 * </ul>
 *
 * <p>Payload: {@code action}, {@code add} (the default) or {@code remove}; {@code audience},
 * the file's name without {@code .csv}, 1 to 128 of {@code [A-Za-z0-9_.-]} starting with a
 * letter or digit (default: the rule's name, which must then fit that pattern). Recipients: the
 * first {@code email} and the first {@code phone}; a value the platform's rules reject leaves
 * its column empty, and a message with neither fails permanently. Only hashes are written,
 * never a plain value. A new file starts with the header line.
 *
 * <p>The consent channel is {@code ads}.
 *
 * <p>Thread-safe. Its channels are thread-safe too: lines are appended whole, one at a time.
 * Two channels must not share a directory.
 */
public final class AdAudienceChannelProvider implements ChannelProvider {
  /** The provider id. */
  public static final String ID = "ad-audience";

  /** Does nothing: the work is done in {@link #create}. */
  public AdAudienceChannelProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int spiMajorVersion() {
    return SPI_MAJOR_VERSION;
  }

  /** {@code ads}. */
  @Override
  public String consentChannel() {
    return Channels.ADS;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code platform} or {@code directory} is missing or
   *     invalid
   */
  @Override
  public Channel create(ChannelContext context) {
    return new AdAudienceChannel(context);
  }

  @Override
  public String toString() {
    return "AdAudienceChannelProvider";
  }
}
