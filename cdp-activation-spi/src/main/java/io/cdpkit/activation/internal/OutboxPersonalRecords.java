package io.cdpkit.activation.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A person's outbox entries and delivery history in her export ({@code outbox} and
 * {@code deliveries}) and her erasure ({@code outboxEntries} and {@code deliveries} deleted).
 * Registered in {@code META-INF/services}; a store without {@link OutboxStorage} holds none of
 * these records, and then nothing is added or deleted.
 *
 * <p>Thread-safe and stateless.
 */
public final class OutboxPersonalRecords implements PersonalRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Adds {@code outbox} (each entry's key, rule, profile, channel, decidedAt, dueAt, attempts,
   * status in lower case, trigger as JSON, lastError when set) and {@code deliveries} (each
   * line's id, at, profile, rule, channel, key, attempt, outcome, reason when set, detail as
   * JSON), profile by profile in the order given.
   */
  @Override
  public void export(ReadTransaction transaction, Set<ProfileId> profiles, ObjectNode export) {
    Objects.requireNonNull(profiles, "profiles");
    Objects.requireNonNull(export, "export");
    Optional<OutboxStorage> found = transaction.capability(OutboxStorage.class);
    if (found.isEmpty()) {
      return;
    }
    OutboxStorage storage = found.get();
    ArrayNode outbox = export.putArray("outbox");
    ArrayNode deliveries = export.putArray("deliveries");
    for (ProfileId id : profiles) {
      for (OutboxEntry o : storage.outboxOfProfile(id)) {
        ObjectNode x = outbox.addObject();
        x.put("key", o.key()).put("rule", o.rule()).put("profile", o.profile().value())
            .put("channel", o.channel()).put("decidedAt", o.decidedAt().toString())
            .put("dueAt", o.dueAt().toString()).put("attempts", o.attempts())
            .put("status", o.status().name().toLowerCase(Locale.ROOT));
        x.set("trigger", parsed(o.trigger()));
        if (o.lastError() != null) {
          x.put("lastError", o.lastError());
        }
      }
      for (Delivery d : storage.deliveries(id)) {
        ObjectNode x = deliveries.addObject();
        x.put("id", d.id()).put("at", d.at().toString()).put("profile", d.profile().value())
            .put("rule", d.rule()).put("channel", d.channel()).put("key", d.key())
            .put("attempt", d.attempt()).put("outcome", d.outcome());
        if (d.reason() != null) {
          x.put("reason", d.reason());
        }
        x.set("detail", parsed(d.detail()));
      }
    }
  }

  /**
   * Deletes every outbox entry and every delivery history line of these profiles.
   *
   * @return {@code outboxEntries} and {@code deliveries}: how many were deleted (empty when
   *     the store has no outbox)
   */
  @Override
  public Map<String, Integer> erase(WriteTransaction transaction, Set<ProfileId> profiles) {
    Objects.requireNonNull(profiles, "profiles");
    Optional<OutboxStorage> found = transaction.capability(OutboxStorage.class);
    if (found.isEmpty()) {
      return Map.of();
    }
    OutboxStorage storage = found.get();
    int outbox = 0;
    int deliveries = 0;
    for (ProfileId id : profiles) {
      for (OutboxEntry o : storage.outboxOfProfile(id)) {
        storage.deleteOutbox(o.key());
        outbox++;
      }
      deliveries += storage.deliveries(id).size();
      storage.deleteDeliveries(id);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("outboxEntries", outbox);
    counts.put("deliveries", deliveries);
    return counts;
  }

  /** The text as JSON, or as a JSON string when it is not JSON. */
  private static JsonNode parsed(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(text);
    }
  }
}
