package io.cdpkit.segmentation;

import io.cdpkit.core.internal.Tally;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.segmentation.internal.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments for a {@link io.cdpkit.core.Cdp}: conditions over profiles that are kept up to date
 * as events arrive and as time passes, with an event for every entry and exit.
 *
 * <pre>{@code
 * Segmentation segmentation = Segmentation.builder()
 *     .listener(e -> System.out.println(e.profile() + " " + e.kind() + " " + e.segment()))
 *     .build();
 * try (Cdp cdp = Cdp.builder().extension(segmentation).build()) {
 *   Segments segments = segmentation.segments();
 *   segments.save(SegmentDefinition.builder("vip")
 *       .where(Conditions.profile(ProfileField.TOTAL_SPEND, "EUR").gte(1000)).build());
 *   cdp.ingest(...);                      // members enter and leave as events arrive
 *   segments.runDue();                    // and as time passes: call this every minute or so
 * }
 * }</pre>
 *
 * <h2>How it stays current</h2>
 * <ul>
 *   <li><b>Events.</b> After every change to a profile (an event, a merge, an unmerge, a
 *       recomputation), inside the same transaction, the segments that read what changed are
 *       evaluated again; memberships commit with the change, and listeners hear of entries and
 *       exits after the commit. A merged-away profile leaves all its segments.
 *   <li><b>Time.</b> Each evaluation also yields the next instant the profile's memberships can
 *       change with time alone (a window's oldest day leaving it, a relative date moving past a
 *       value, a wait running out). That instant is stored as the profile's scheduled check;
 *       {@link Segments#runDue()} evaluates the profiles whose check is due by the {@code Cdp}'s
 *       clock, so members enter and leave when that instant is reached and called for, with no
 *       scan over all profiles.
 *   <li><b>Definitions.</b> Saving a definition evaluates it (and the segments that read it)
 *       over every profile, a page per transaction; event conditions need aggregations that
 *       core keeps from then on, and the first save of one recomputes every profile from its
 *       events.
 * </ul>
 *
 * <p>Storage: definitions are kept as store metadata, memberships and scheduled checks through
 * the store's {@link io.cdpkit.segmentation.spi.storage.SegmentStorage} capability, which the
 * in-memory store gets from this module and the JDBC store implements; a store without it is
 * refused when a workspace is first used.
 *
 * <p>Limits: definitions are read when a workspace is first used through this instance and
 * when saved through it; other nodes sharing the database pick up a definition saved elsewhere
 * with {@link Segments#reload}, which they should call regularly.
 *
 * <p>Thread-safe. An instance serves one {@code Cdp}.
 */
public final class Segmentation implements CdpExtension {
  private static final Logger LOG = LoggerFactory.getLogger(Segmentation.class);

  private final List<SegmentListener> listeners;
  private volatile @Nullable ExtensionContext context;
  private final ConcurrentHashMap<WorkspaceId, Segments> workspaces = new ConcurrentHashMap<>();
  /** Entries and exits published, by workspace, segment and kind (read by SegmentMetrics). */
  private final Tally changes = new Tally("workspace", "segment", "kind");

  private final boolean history;

  private Segmentation(Builder b) {
    this.listeners = List.copyOf(b.listeners);
    this.history = b.history;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public synchronized void attach(ExtensionContext context) {
    if (this.context != null) {
      throw new IllegalStateException("this Segmentation is already attached to a Cdp");
    }
    this.context = Objects.requireNonNull(context, "context");
    context.observe(changes -> {
      Segments s = workspaces.get(changes.workspace());
      if (s != null) {
        s.engine().changed(changes);
      }
    });
  }

  /** Loads the workspace's definitions before anything is ingested into it. */
  @Override
  public void workspaceOpened(WorkspaceId workspace) {
    segments(workspace);
  }

  /**
   * Re-evaluates, over every profile, the workspace's segments that read one of these derived
   * traits (and the segments that read those): another extension refitted the model behind
   * them. Members that enter or leave get events with cause {@code recompute}; progress phase
   * {@code evaluate}.
   */
  @Override
  public void traitsChanged(WorkspaceId workspace, Set<String> traits,
      io.cdpkit.core.ProgressListener progress) {
    segments(workspace).engine().traitsChanged(traits, progress);
  }

  /** The segments of the default workspace. */
  public Segments segments() {
    return segments(WorkspaceId.DEFAULT);
  }

  /**
   * The segments of a workspace; the first call loads its stored definitions.
   *
   * @throws IllegalStateException when this instance is not attached to a {@code Cdp} yet
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when the {@code Cdp}'s
   *     store keeps no memberships and checks (it lacks
   *     {@link io.cdpkit.segmentation.spi.storage.SegmentStorage})
   */
  public Segments segments(WorkspaceId workspace) {
    Objects.requireNonNull(workspace, "workspace");
    ExtensionContext c = context;
    if (c == null) {
      throw new IllegalStateException("add this Segmentation to a Cdp with Cdp.builder()"
          + ".extension(...) first");
    }
    return workspaces.computeIfAbsent(workspace, w -> {
      Engine e = new Engine(c, w, this::publish, history);
      e.load();
      return new Segments(e, w);
    });
  }

  /** The workspaces whose segments were loaded so far, for {@link SegmentMetrics}. */
  java.util.Collection<Segments> openWorkspaces() {
    if (context == null) {
      throw new IllegalStateException("add this Segmentation to a Cdp with Cdp.builder()"
          + ".extension(...) first");
    }
    return List.copyOf(workspaces.values());
  }

  /** The entries and exits counted so far, for {@link SegmentMetrics}. */
  Tally changes() {
    return changes;
  }

  private void publish(List<SegmentEvent> events) {
    for (SegmentEvent e : events) {
      changes.increment(e.workspace().value(), e.segment(),
          e.kind() == SegmentEvent.Kind.ENTERED ? "entered" : "exited");
      for (SegmentListener l : listeners) {
        try {
          l.onSegmentEvent(e);
        } catch (RuntimeException ex) {
          LOG.warn("a segment listener failed on {} of segment {}", e.kind(), e.segment(), ex);
        }
      }
    }
  }

  /** Configures a {@link Segmentation}. Not thread-safe. */
  public static final class Builder {
    private final List<SegmentListener> listeners = new ArrayList<>();
    private boolean history;

    private Builder() {}

    /** Adds a listener for entries and exits; listeners run in the order added. */
    public Builder listener(SegmentListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Whether entries and exits are counted per segment and UTC day for
     * {@link Segments#history} (the console's chart); off by default. The counts are workspace
     * metadata written in the transaction that changes memberships. On PostgreSQL and MariaDB
     * the JDBC store runs a transaction that writes metadata alone in its workspace (see
     * cdp-storage-jdbc's README, "Concurrency"), so with history on, every ingest that changes a
     * membership there waits for the workspace's other writers; H2 and the in-memory store take
     * writers one at a time anyway. Turned off again, the history stays as it was and
     * {@code history} reads what was counted.
     */
    public Builder segmentHistory(boolean on) {
      this.history = on;
      return this;
    }

    public Segmentation build() {
      return new Segmentation(this);
    }
  }
}
