package io.cdpkit.core.spi.extension;

/**
 * An optional module plugged into a {@link io.cdpkit.core.Cdp} with
 * {@link io.cdpkit.core.Cdp.Builder#extension(CdpExtension)}.
 *
 * <p>Implementations must be thread-safe once attached.
 */
public interface CdpExtension {
  /**
   * Called once, on the thread building the {@code Cdp}, before the builder returns it. The
   * context stays valid until {@link #close()}.
   *
   * @throws IllegalStateException when the extension is already attached to another instance
   */
  void attach(ExtensionContext context);

  /**
   * Called once per workspace, the first time the {@code Cdp} opens it (the default workspace
   * while the {@code Cdp} is built), before anything is ingested through it and outside any
   * transaction: the place to load what the extension keeps per workspace. The default does
   * nothing.
   */
  default void workspaceOpened(io.cdpkit.core.model.WorkspaceId workspace) {}

  /**
   * Derived traits the extension adds to the {@code Cdp}, read once by
   * {@link io.cdpkit.core.Cdp.Builder#extension(CdpExtension)} and declared there as if the host
   * had declared them with {@code derivedTrait} (so a name clash fails at that call). They must
   * work before {@link #attach} and in every workspace (an extension with nothing to say for a
   * workspace yet returns empty values). The default adds none.
   */
  default java.util.List<io.cdpkit.core.traits.DerivedTrait> derivedTraits() {
    return java.util.List.of();
  }

  /** Called once when the {@code Cdp} closes, before its store closes. The default does nothing. */
  default void close() {}
}
