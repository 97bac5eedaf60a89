package io.cdpkit.activation.spi;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One message for one person, as the engine hands it to a {@link Channel}.
 *
 * <p>The payload is the rule's template rendered against the profile (and the triggering
 * event) when the message is sent: a JSON-like tree of {@code String}, {@code Long},
 * {@code Double}, {@code Boolean}, {@code null}, {@code List} and {@code Map} (insertion
 * ordered), read-only.
 *
 * <p>Immutable (the payload is copied deeply). {@link #toString()} leaves out recipients and payload: they are personal data.
 *
 * @param idempotencyKey the same for every attempt of this message, different for any other;
 *     pass it on to receivers that deduplicate
 * @param workspace the workspace
 * @param profile the profile it is for (the survivor, when the one it was decided for was
 *     merged)
 * @param rule the rule that decided it
 * @param channel the registered channel's name
 * @param purpose the purpose consent was checked for ({@code marketing}, {@code service})
 * @param trigger what triggered it: {@code segment.entered:<segment>},
 *     {@code segment.exited:<segment>}, {@code event:<event name>} or
 *     {@code schedule:<segment>}
 * @param recipients the person's identifiers of the channel's {@link Channel#addresses()}
 *     types, in that order (empty when the channel declares none)
 * @param payload the rendered template
 * @param attempt 1 for the first attempt, then 2, 3, ...
 * @param decidedAt when the engine decided to send it
 */
public record Message(String idempotencyKey, WorkspaceId workspace, ProfileId profile,
    String rule, String channel, String purpose, String trigger, List<Identifier> recipients,
    Map<String, Object> payload, int attempt, Instant decidedAt) {
  public Message {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(trigger, "trigger");
    recipients = List.copyOf(recipients);
    payload = deepCopy(payload);
    Objects.requireNonNull(decidedAt, "decidedAt");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(Objects.requireNonNull(k, "payload key"), copy(v)));
    return Collections.unmodifiableMap(out);
  }

  private static Object copy(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> typed = new LinkedHashMap<>();
      m.forEach((k, x) -> typed.put(String.valueOf(k), x));
      return deepCopy(typed);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new java.util.ArrayList<>(l.size());
      for (Object x : l) {
        out.add(copy(x));
      }
      return Collections.unmodifiableList(out);
    }
    return v;
  }

  /** The first recipient of a type. */
  public Optional<Identifier> recipient(IdentifierType type) {
    for (Identifier i : recipients) {
      if (i.type().equals(type)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** A top-level payload value rendered as text; empty when absent or null. */
  public Optional<String> text(String key) {
    Object v = payload.get(key);
    return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
  }

  @Override
  public String toString() {
    return "Message[key=" + idempotencyKey + ", workspace=" + workspace + ", profile=" + profile
        + ", rule=" + rule + ", channel=" + channel + ", purpose=" + purpose + ", trigger="
        + trigger + ", recipients=" + recipients.size() + ", payload keys=" + payload.keySet()
        + ", attempt=" + attempt + "]";
  }
}
