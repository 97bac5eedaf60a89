package io.cdpkit.core.internal;

import io.cdpkit.core.identity.IdentityRules;
import java.time.Clock;
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
 */
public record PipelineConfig(IdentityRules rules, Clock clock, String defaultCurrency,
    Map<String, Integer> sourcePriorities, Set<String> orderEvents, Set<String> refundEvents) {
  public PipelineConfig {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(defaultCurrency, "defaultCurrency");
    sourcePriorities = Map.copyOf(sourcePriorities);
    orderEvents = Set.copyOf(orderEvents);
    refundEvents = Set.copyOf(refundEvents);
  }

  int sourcePriority(String source) {
    return source == null ? 0 : sourcePriorities.getOrDefault(source, 0);
  }
}
