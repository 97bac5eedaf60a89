package io.cdpkit.activation.spi;

/**
 * Makes {@link Channel}s of one kind: the entry point of a channel plugin. Register one with
 * {@code Activation.builder().channel(...)}, or declare it in
 * {@code META-INF/services/io.cdpkit.activation.spi.ChannelProvider} and call
 * {@code Activation.Builder.discoverProviders()}.
 *
 * <p>A provider has a public no-argument constructor, does no work in it, and does the heavy
 * work (connections, clients) once in {@link #create}. New hooks are added to this interface
 * as {@code default} methods, so a provider built against an older minor version keeps
 * working; a new major version of the SPI means a provider must be rebuilt, and the engine
 * refuses one that reports another major ({@link #spiMajorVersion()}).
 *
 * <p>Implementations must be thread-safe.
 */
public interface ChannelProvider {
  /** The major version of this SPI. Return it from {@link #spiMajorVersion()}. */
  int SPI_MAJOR_VERSION = 1;

  /**
   * The provider's id, unique among the providers of one engine: 1 to 64 of {@code a-z},
   * {@code 0-9}, {@code -}, starting with a letter ({@code webhook}, {@code smtp}).
   */
  String id();

  /**
   * The major version of the SPI this provider was compiled against: return
   * {@link #SPI_MAJOR_VERSION}, which the compiler copies into the provider's class.
   */
  int spiMajorVersion();

  /**
   * The consent channel a message through this kind of channel needs consent for
   * ({@code email}, {@code sms}, {@code ads}), unless its registration names another. The
   * default is {@code null}: the registration must name one.
   */
  default @org.jspecify.annotations.Nullable String consentChannel() {
    return null;
  }

  /**
   * Creates a channel from its configuration. Called once per registered channel, when the
   * engine is built, on the building thread.
   *
   * @throws IllegalArgumentException when the configuration is invalid: name the key and the
   *     reason; the engine does not start
   */
  Channel create(ChannelContext context);
}
