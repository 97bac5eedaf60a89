package io.cdpkit.activation.testing;

import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sample {@link Message}s for channel tests. {@link #builder()} starts from a complete message
 * with no recipients and an empty payload; {@link #sample(List)} adds recipients for a
 * channel's address types and a payload of personal-looking values, which
 * {@link #personalValues(Message)} lists so tests can check they leak nowhere.
 *
 * <pre>{@code
 * Message m = Messages.sample(channel.addresses())
 *     .put("subject", "Your order")
 *     .put("text", "It ships today.")
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe: stateless. Its {@link Builder} is not thread-safe.
 */
public final class Messages {
  /** The sample e-mail recipient. */
  public static final Identifier EMAIL = Identifier.email("ayse.yilmaz@example.com");
  /** The sample phone recipient, in E.164. */
  public static final Identifier PHONE = Identifier.phone("+31612345678");
  /** The workspace of sample messages. */
  public static final WorkspaceId WORKSPACE = WorkspaceId.of("shop-amsterdam");
  /** The profile of sample messages. */
  public static final ProfileId PROFILE = ProfileId.of("p-ayse");

  private Messages() {}

  /**
   * A builder holding a complete message: key {@code msg-0001}, rule {@code welcome}, channel
   * {@code contract}, purpose {@code marketing}, trigger {@code segment.entered:vip}, attempt 1,
   * decided at {@link TestChannelContext#NOW}, no recipients, an empty payload.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder as {@link #builder()} with a recipient of each of {@code addresses} (see
   * {@link #recipient(IdentifierType)}) and a payload of personal data: {@code first_name},
   * {@code greeting} and a nested {@code order}.
   */
  public static Builder sample(List<IdentifierType> addresses) {
    Builder b = builder();
    for (IdentifierType t : addresses) {
      b.recipient(recipient(t));
    }
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("number", "ORD-90210-AY");
    order.put("items", List.of("Kırmızı elbise", "Linen scarf"));
    order.put("total", 129.95);
    return b.put("first_name", "Ayşe")
        .put("greeting", "Merhaba Ayşe Yılmaz")
        .put("order", order);
  }

  /**
   * A sample identifier of a type: {@link #EMAIL}, {@link #PHONE}, or
   * {@code sample-<type>-4711} for any other type.
   */
  public static Identifier recipient(IdentifierType type) {
    if (type.equals(IdentifierType.EMAIL)) {
      return EMAIL;
    }
    if (type.equals(IdentifierType.PHONE)) {
      return PHONE;
    }
    return Identifier.of(type, "sample-" + type.id() + "-4711");
  }

  /**
   * The personal data of a message: its recipients' values and every text in its payload
   * (values, not keys), nested ones included, of at least 4 characters (shorter ones would
   * match by chance).
   */
  public static Set<String> personalValues(Message message) {
    Set<String> values = new LinkedHashSet<>();
    for (Identifier i : message.recipients()) {
      values.add(i.value());
    }
    collect(message.payload(), values);
    values.removeIf(v -> v.length() < 4);
    return values;
  }

  private static void collect(Object value, Set<String> into) {
    if (value instanceof Map) {
      for (Object v : ((Map<?, ?>) value).values()) {
        collect(v, into);
      }
    } else if (value instanceof List) {
      for (Object v : (List<?>) value) {
        collect(v, into);
      }
    } else if (value instanceof String) {
      into.add((String) value);
    }
  }

  /** Builds one message. Not thread-safe. */
  public static final class Builder {
    private String idempotencyKey = "msg-0001";
    private WorkspaceId workspace = WORKSPACE;
    private ProfileId profile = PROFILE;
    private String rule = "welcome";
    private String channel = "contract";
    private String purpose = "marketing";
    private String trigger = "segment.entered:vip";
    private final List<Identifier> recipients = new ArrayList<>();
    private final Map<String, Object> payload = new LinkedHashMap<>();
    private int attempt = 1;
    private Instant decidedAt = TestChannelContext.NOW;

    private Builder() {}

    public Builder idempotencyKey(String key) {
      this.idempotencyKey = Objects.requireNonNull(key);
      return this;
    }

    public Builder workspace(WorkspaceId workspace) {
      this.workspace = Objects.requireNonNull(workspace);
      return this;
    }

    public Builder profile(ProfileId profile) {
      this.profile = Objects.requireNonNull(profile);
      return this;
    }

    public Builder rule(String rule) {
      this.rule = Objects.requireNonNull(rule);
      return this;
    }

    public Builder channel(String channel) {
      this.channel = Objects.requireNonNull(channel);
      return this;
    }

    public Builder purpose(String purpose) {
      this.purpose = Objects.requireNonNull(purpose);
      return this;
    }

    public Builder trigger(String trigger) {
      this.trigger = Objects.requireNonNull(trigger);
      return this;
    }

    /** Adds a recipient after those already held. */
    public Builder recipient(Identifier recipient) {
      recipients.add(Objects.requireNonNull(recipient));
      return this;
    }

    /** Replaces the recipients. */
    public Builder recipients(List<Identifier> recipients) {
      this.recipients.clear();
      this.recipients.addAll(recipients);
      return this;
    }

    /** Puts one payload value ({@code null} allowed, as in a rendered template). */
    public Builder put(String key, @Nullable Object value) {
      payload.put(Objects.requireNonNull(key), value);
      return this;
    }

    /** Removes one payload key. */
    public Builder remove(String key) {
      payload.remove(key);
      return this;
    }

    /** Replaces the payload. */
    public Builder payload(Map<String, ?> payload) {
      this.payload.clear();
      this.payload.putAll(payload);
      return this;
    }

    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    public Builder decidedAt(Instant decidedAt) {
      this.decidedAt = Objects.requireNonNull(decidedAt);
      return this;
    }

    public Message build() {
      return new Message(idempotencyKey, workspace, profile, rule, channel, purpose, trigger,
          recipients, payload, attempt, decidedAt);
    }
  }
}
