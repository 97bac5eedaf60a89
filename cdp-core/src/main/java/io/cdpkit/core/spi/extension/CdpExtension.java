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

  /** Called once when the {@code Cdp} closes, before its store closes. The default does nothing. */
  default void close() {}
}
