package io.cdpkit.core.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.dedup.FieldWeight;
import io.cdpkit.core.dedup.ReviewItem;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Duplicate detection's part of a person's export and erasure (found with
 * {@link java.util.ServiceLoader} like every module's): the review items naming one of her
 * profile ids.
 *
 * <p>Export adds {@value #REVIEW_ITEMS}, an array of {@code {"profile", "otherProfile",
 * "probability", "queuedAt", "weights": [{"field", "level", "weight"}]}} sorted by queue time;
 * items hold no compared values. Erasure deletes them and counts them as {@value #REVIEW_ITEMS}.
 *
 * <p>Thread-safe; stateless.
 */
public final class DedupRecords implements PersonalRecords {
  /** The export's field, and the erasure's count. */
  static final String REVIEW_ITEMS = "reviewItems";

  /** Found by {@link java.util.ServiceLoader}. */
  public DedupRecords() {}

  @Override
  public void export(ReadTransaction transaction, Set<ProfileId> profiles, ObjectNode export) {
    List<ReviewItem> items = new java.util.ArrayList<>(DuplicateOps.items(transaction, profiles));
    items.sort(Comparator.comparing(ReviewItem::queuedAt)
        .thenComparing(i -> i.first().value()).thenComparing(i -> i.second().value()));
    ArrayNode out = export.putArray(REVIEW_ITEMS);
    for (ReviewItem i : items) {
      boolean mineFirst = profiles.contains(i.first());
      ObjectNode n = out.addObject();
      n.put("profile", (mineFirst ? i.first() : i.second()).value());
      n.put("otherProfile", (mineFirst ? i.second() : i.first()).value());
      n.put("probability", i.probability());
      n.put("queuedAt", i.queuedAt().toString());
      ArrayNode ws = n.putArray("weights");
      for (FieldWeight w : i.weights()) {
        ws.addObject().put("field", w.field()).put("level", w.level())
            .put("weight", w.weight());
      }
    }
  }

  @Override
  public Map<String, Integer> erase(WriteTransaction transaction, Set<ProfileId> profiles) {
    return Map.of(REVIEW_ITEMS, DuplicateOps.erase(transaction, profiles));
  }
}
