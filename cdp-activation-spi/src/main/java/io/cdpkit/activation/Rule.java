package io.cdpkit.activation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * "When X happens, send Y through channel Z for purpose P": a trigger, an optional delay with
 * rechecks, a channel, a purpose, a payload template and suppressions.
 *
 * <pre>{@code
 * Rule cartReminder = Rule.builder("cart-reminder")
 *     .trigger(Trigger.event("Checkout Started"))
 *     .delay(Duration.ofHours(1))
 *     .recheck(Recheck.noEventSince("Order Completed"))   // still no order after the hour
 *     .channel("newsletter").purpose("marketing")
 *     .template(Template.parse("""
 *         {"subject": "You left something behind, {{trait.firstName|there}}",
 *          "text": "Your cart {{event.properties.cartId}} is waiting."}"""))
 *     .build();
 * }</pre>
 *
 * <p>The engine decides in the transaction of the change that fired the trigger, and writes
 * the decision to the outbox; everything else (rechecks, consent, address, suppressions, caps,
 * the template) is looked at when the message is sent, against the profile as it is then.
 *
 * <p>Immutable.
 */
public final class Rule {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  private final String id;
  private final Trigger trigger;
  private final Duration delay;
  private final List<Recheck> rechecks;
  private final String channel;
  private final String purpose;
  private final Template template;
  private final List<Suppression> suppressions;
  private final Duration maxEventAge;

  private Rule(Builder b) {
    this.id = b.id;
    this.trigger = require(b.trigger, "trigger");
    this.delay = b.delay;
    this.rechecks = List.copyOf(b.rechecks);
    this.channel = require(b.channel, "channel");
    this.purpose = require(b.purpose, "purpose");
    this.template = b.template;
    this.suppressions = List.copyOf(b.suppressions);
    this.maxEventAge = b.maxEventAge;
    if (trigger.kind() != Trigger.Kind.EVENT && template.readsEvent()) {
      String p = template.paths().stream().filter(x -> x.startsWith("event.")).findFirst()
          .orElseThrow();
      throw new IllegalArgumentException("rule " + id + ": template field '" + p
          + "' needs an event trigger");
    }
    if (trigger.kind() == Trigger.Kind.EVENT && template.paths().contains("trigger.segment")) {
      throw new IllegalArgumentException("rule " + id
          + ": template field 'trigger.segment' needs a segment or schedule trigger");
    }
  }

  private <T> T require(T v, String field) {
    if (v == null) {
      throw new IllegalArgumentException("rule " + id + ": " + field + " is required");
    }
    return v;
  }

  /**
   * A builder for a rule with this id.
   *
   * @throws IllegalArgumentException when the id is not 1 to 64 of {@code a-z 0-9 _ -}
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  public String id() {
    return id;
  }

  public Trigger trigger() {
    return trigger;
  }

  /** How long after the trigger to send; zero: at once. */
  public Duration delay() {
    return delay;
  }

  /** Conditions that must still hold when sending. */
  public List<Recheck> rechecks() {
    return rechecks;
  }

  /** The registered channel's name. */
  public String channel() {
    return channel;
  }

  /** The purpose consent is checked for. */
  public String purpose() {
    return purpose;
  }

  public Template template() {
    return template;
  }

  public List<Suppression> suppressions() {
    return suppressions;
  }

  /**
   * Events older than this when ingested (by event time) do not fire an event trigger: a
   * backfill of last year's carts sends nothing.
   */
  public Duration maxEventAge() {
    return maxEventAge;
  }

  @Override
  public String toString() {
    return "Rule[" + id + ": " + trigger + " -> " + channel + " for " + purpose
        + (delay.isZero() ? "" : " after " + delay) + "]";
  }

  /** Builds a {@link Rule}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private Trigger trigger;
    private Duration delay = Duration.ZERO;
    private final List<Recheck> rechecks = new ArrayList<>();
    private String channel;
    private String purpose;
    private Template template = Template.EMPTY;
    private final List<Suppression> suppressions = new ArrayList<>();
    private Duration maxEventAge = Duration.ofDays(1);

    private Builder(String id) {
      Objects.requireNonNull(id, "id");
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException("rule.id: '" + id
            + "' must be 1 to 64 of a-z 0-9 _ -, starting with a letter or digit");
      }
      this.id = id;
    }

    public Builder trigger(Trigger trigger) {
      this.trigger = Objects.requireNonNull(trigger, "trigger");
      return this;
    }

    /** Waits this long after the trigger before sending (at most 366 days). */
    public Builder delay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative() || delay.compareTo(Duration.ofDays(366)) > 0) {
        throw new IllegalArgumentException("rule " + id + ": delay must be 0 to 366 days");
      }
      this.delay = delay;
      return this;
    }

    /** Adds a condition that must still hold when sending. */
    public Builder recheck(Recheck recheck) {
      rechecks.add(Objects.requireNonNull(recheck, "recheck"));
      return this;
    }

    public Builder channel(String channel) {
      Objects.requireNonNull(channel, "channel");
      if (!ID.matcher(channel).matches()) {
        throw new IllegalArgumentException("rule " + id + ": channel '" + channel
            + "' is not a channel name");
      }
      this.channel = channel;
      return this;
    }

    /** The purpose ({@code marketing}, {@code service}, ...), lower case. */
    public Builder purpose(String purpose) {
      Objects.requireNonNull(purpose, "purpose");
      if (!NAME.matcher(purpose).matches()) {
        throw new IllegalArgumentException("rule " + id + ": purpose '" + purpose
            + "' must match [a-z][a-z0-9_-]{0,63}");
      }
      this.purpose = purpose;
      return this;
    }

    public Builder template(Template template) {
      this.template = Objects.requireNonNull(template, "template");
      return this;
    }

    public Builder suppress(Suppression suppression) {
      suppressions.add(Objects.requireNonNull(suppression, "suppression"));
      return this;
    }

    /** See {@link Rule#maxEventAge()}; one day unless set. */
    public Builder maxEventAge(Duration age) {
      Objects.requireNonNull(age, "age");
      if (age.isNegative() || age.isZero()) {
        throw new IllegalArgumentException("rule " + id + ": maxEventAge must be positive");
      }
      this.maxEventAge = age;
      return this;
    }

    /**
     * The rule.
     *
     * @throws IllegalArgumentException when trigger, channel or purpose is missing, or the
     *     template reads event fields without an event trigger
     */
    public Rule build() {
      return new Rule(this);
    }
  }
}
