package io.cdpkit.core.internal;

import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.TraitMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the ingest pipeline, fixed when a {@code Cdp} is built. Immutable.
 *
 * @param rules identifier rules
 * @param clock the clock for receivedAt and ledger times
 * @param defaultCurrency currency of orders that name none
 * @param sourcePriorities priority per {@code context.source}; absent sources have 0
 * @param orderEvents track names that complete an order
 * @param refundEvents track names that refund an order
 * @param clockTolerance how far beyond its receive time a client may date an event (see
 *     {@code Cdp.Builder.clockTolerance}); zero or positive
 * @param timeZone the zone of date-times sent without an offset (see
 *     {@code Cdp.Builder.timeZone})
 * @param workspaceZones zones of workspaces that have their own
 * @param traitMapping which track properties and context traits set traits, in workspaces
 *     without their own
 * @param workspaceMappings trait mappings of workspaces that have their own
 */
public record PipelineConfig(IdentityRules rules, Clock clock, String defaultCurrency,
    Map<String, Integer> sourcePriorities, Set<String> orderEvents, Set<String> refundEvents,
    Duration clockTolerance, ZoneId timeZone, Map<WorkspaceId, ZoneId> workspaceZones,
    TraitMapping traitMapping, Map<WorkspaceId, TraitMapping> workspaceMappings) {
  /** The default {@link #clockTolerance()}: 5 minutes. */
  public static final Duration DEFAULT_CLOCK_TOLERANCE = Duration.ofMinutes(5);

  public PipelineConfig {
    Objects.requireNonNull(clockTolerance, "clockTolerance");
    if (clockTolerance.isNegative()) {
      throw new IllegalArgumentException("clockTolerance must not be negative");
    }
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(defaultCurrency, "defaultCurrency");
    sourcePriorities = Map.copyOf(sourcePriorities);
    orderEvents = Set.copyOf(orderEvents);
    refundEvents = Set.copyOf(refundEvents);
    Objects.requireNonNull(timeZone, "timeZone");
    workspaceZones = Map.copyOf(workspaceZones);
    Objects.requireNonNull(traitMapping, "traitMapping");
    workspaceMappings = Map.copyOf(workspaceMappings);
  }

  /** Settings without a trait mapping. */
  public PipelineConfig(IdentityRules rules, Clock clock, String defaultCurrency,
      Map<String, Integer> sourcePriorities, Set<String> orderEvents, Set<String> refundEvents,
      Duration clockTolerance, ZoneId timeZone, Map<WorkspaceId, ZoneId> workspaceZones) {
    this(rules, clock, defaultCurrency, sourcePriorities, orderEvents, refundEvents,
        clockTolerance, timeZone, workspaceZones, TraitMapping.NONE, Map.of());
  }

  /** Settings with the default clock tolerance. */
  public PipelineConfig(IdentityRules rules, Clock clock, String defaultCurrency,
      Map<String, Integer> sourcePriorities, Set<String> orderEvents, Set<String> refundEvents) {
    this(rules, clock, defaultCurrency, sourcePriorities, orderEvents, refundEvents,
        DEFAULT_CLOCK_TOLERANCE, ZoneOffset.UTC, Map.of());
  }

  /** The zone of a workspace's date-times sent without an offset. */
  public ZoneId zone(WorkspaceId workspace) {
    return workspaceZones.getOrDefault(workspace, timeZone);
  }

  /** The trait mapping of a workspace: its own, else the default. */
  public TraitMapping traitMapping(WorkspaceId workspace) {
    return workspaceMappings.getOrDefault(workspace, traitMapping);
  }

  int sourcePriority(String source) {
    return source == null ? 0 : sourcePriorities.getOrDefault(source, 0);
  }
}
