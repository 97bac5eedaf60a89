package io.cdpkit.activation.channels;

import io.cdpkit.activation.spi.DeliveryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Folds the answers for the tokens of one message into one {@link DeliveryResult}:
 * <ul>
 *   <li>at least one token took it: delivered (retryable failures of the others are not tried
 *       again, so a device that got it does not get it twice);
 *   <li>none took it and one failed for now: retryable, waiting the longest Retry-After asked;
 *   <li>otherwise permanent, with the count of each reason.
 * </ul>
 * Not thread-safe: one per delivery.
 */
final class PushFanOut {
  private final List<String> references = new ArrayList<>();
  private final Map<String, Integer> permanent = new TreeMap<>();
  private final Map<String, Integer> retryable = new TreeMap<>();
  private @Nullable Duration retryAfter;
  private int tokens;

  void delivered(@Nullable String reference) {
    tokens++;
    if (reference != null && !reference.isBlank()) {
      references.add(reference);
    }
  }

  void permanent(String reason) {
    tokens++;
    permanent.merge(reason, 1, Integer::sum);
  }

  void retryable(String reason, @Nullable Duration after) {
    tokens++;
    retryable.merge(reason, 1, Integer::sum);
    if (after != null && (retryAfter == null || after.compareTo(retryAfter) > 0)) {
      retryAfter = after;
    }
  }

  /** Adds one token's result. */
  void add(DeliveryResult r) {
    switch (r.outcome()) {
      case DELIVERED -> delivered(r.reference().orElse(null));
      case RETRYABLE -> retryable(r.reason().orElse("retryable"), r.retryAfter().orElse(null));
      case PERMANENT -> permanent(r.reason().orElse("permanent"));
    }
  }

  DeliveryResult result() {
    int delivered = tokens - sum(permanent) - sum(retryable);
    if (delivered > 0) {
      if (references.isEmpty()) {
        return DeliveryResult.delivered();
      }
      String ref = references.get(0);
      if (tokens > 1) {
        ref = ref + " (" + delivered + " of " + tokens + " devices)";
      }
      return DeliveryResult.delivered(ref.length() > DeliveryResult.MAX_REFERENCE_LENGTH
          ? ref.substring(0, DeliveryResult.MAX_REFERENCE_LENGTH) : ref);
    }
    if (!retryable.isEmpty()) {
      String reason = describe(retryable) + describeOthers(permanent);
      return retryAfter == null ? DeliveryResult.retryable(reason)
          : DeliveryResult.retryable(reason, retryAfter);
    }
    return DeliveryResult.permanent(describe(permanent));
  }

  private static int sum(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static String describe(Map<String, Integer> reasons) {
    if (reasons.size() == 1 && reasons.values().iterator().next() == 1) {
      return reasons.keySet().iterator().next();
    }
    StringBuilder b = new StringBuilder();
    reasons.forEach((k, n) -> b.append(b.length() == 0 ? "" : "; ").append(n).append(" x ")
        .append(k));
    return b.toString();
  }

  private static String describeOthers(Map<String, Integer> reasons) {
    return reasons.isEmpty() ? "" : "; and for good: " + describe(reasons);
  }
}
