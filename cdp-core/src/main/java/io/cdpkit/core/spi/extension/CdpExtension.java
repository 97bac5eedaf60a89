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
   * The computed traits the extension keeps and offers (aggregates and derived traits), read
   * once by {@link io.cdpkit.core.Cdp.Builder#extension(CdpExtension)} and declared there as if
   * the host had declared them with {@code computedTraits} (so a name clash fails at that call).
   * This is the one way an extension adds traits: the host declares nothing for it. They must
   * work before {@link #attach} and in every workspace (an extension with nothing to say for a
   * workspace yet returns empty values). The default adds none.
   */
  default io.cdpkit.core.traits.ComputedTraits computedTraits() {
    return io.cdpkit.core.traits.ComputedTraits.NONE;
  }

  /**
   * Told that the values of some derived traits changed for many profiles of a workspace at
   * once, outside any ingest: another extension refitted the model behind them and called
   * {@link ExtensionContext#traitsChanged}. Runs on that caller's thread, outside any
   * transaction; segmentation re-evaluates the segments that read the traits here. The default
   * does nothing.
   *
   * @param traits the traits whose values changed, with every derived trait that reads one of
   *     them (transitively)
   * @param progress where to report the work, in phases of the extension's own naming
   */
  default void traitsChanged(io.cdpkit.core.model.WorkspaceId workspace,
      java.util.Set<String> traits, io.cdpkit.core.ProgressListener progress) {}

  /** Called once when the {@code Cdp} closes, before its store closes. The default does nothing. */
  default void close() {}
}
