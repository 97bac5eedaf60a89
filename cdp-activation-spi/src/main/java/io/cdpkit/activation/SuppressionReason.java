package io.cdpkit.activation;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Why a message was not sent: the typed form of a suppressed delivery's
 * {@link io.cdpkit.activation.spi.storage.Delivery#reason()}. The gate is a list of checks, each
 * returning one of these or passing; the first that does not pass decides. {@link #code()} is
 * the string form kept in the delivery history and logs; {@link #parse(String)} reads it back.
 *
 * <pre>{@code
 * switch (SuppressionReason.of(delivery).orElseThrow()) {
 *   case SuppressionReason.ConsentDenied d -> ...
 *   case SuppressionReason.FrequencyCapped c -> retryLater(c.window());
 *   default -> ...
 * }
 * }</pre>
 *
 * <p>The codes are those CDPKit always stored ({@code consent-denied},
 * {@code frequency-cap:3/PT168H}, ...); {@link AddressGone} and {@link LeaseLost} are new, and come
 * only from the check at hand-over. A code this version does not know parses to
 * {@link Unknown}.
 *
 * <p>Immutable.
 */
public sealed interface SuppressionReason {
  /** The string form kept in the delivery history. */
  String code();

  /** The rule was removed from the builder after the message was decided. */
  record RuleRemoved() implements SuppressionReason {
    @Override
    public String code() {
      return "rule-removed";
    }
  }

  /** The rule's channel is no longer registered. */
  record ChannelRemoved() implements SuppressionReason {
    @Override
    public String code() {
      return "channel-removed";
    }
  }

  /** The person's profile no longer exists (erased). */
  record ProfileGone() implements SuppressionReason {
    @Override
    public String code() {
      return "profile-gone";
    }
  }

  /** Processing of the person's data is restricted (GDPR Art. 18). */
  record Restricted() implements SuppressionReason {
    @Override
    public String code() {
      return "restricted";
    }
  }

  /** A {@link Recheck#stillMember} recheck failed: no longer a member of {@code segment}. */
  record NotMember(String segment) implements SuppressionReason {
    public NotMember {
      Objects.requireNonNull(segment, "segment");
    }

    @Override
    public String code() {
      return "recheck:not-member:" + segment;
    }
  }

  /** A {@link Recheck#noEventSince} recheck failed: an {@code event} happened since. */
  record EventSince(String event) implements SuppressionReason {
    public EventSince {
      Objects.requireNonNull(event, "event");
    }

    @Override
    public String code() {
      return "recheck:event-since:" + event;
    }
  }

  /** No consent recorded that applies to the purpose on the channel (for any recipient). */
  record NoConsent() implements SuppressionReason {
    @Override
    public String code() {
      return "no-consent";
    }
  }

  /** The consent that applies was denied or withdrawn (for every recipient). */
  record ConsentDenied() implements SuppressionReason {
    @Override
    public String code() {
      return "consent-denied";
    }
  }

  /** The consent that applies expired (its own expiry, or the policy's maximum age). */
  record ConsentExpired() implements SuppressionReason {
    @Override
    public String code() {
      return "consent-expired";
    }
  }

  /** The profile has no identifier of the types the channel sends to. */
  record NoAddress(List<String> types) implements SuppressionReason {
    public NoAddress {
      types = List.copyOf(types);
    }

    @Override
    public String code() {
      return "no-address:" + types;
    }
  }

  /** At hand-over, none of the message's recipients belonged to the person any more. */
  record AddressGone() implements SuppressionReason {
    @Override
    public String code() {
      return "address-gone";
    }
  }

  /**
   * Another person made a consent decision for the recipient address after the decision that
   * would allow this message: the address (a device handed on, say) is no longer taken to be
   * this person's alone, and waits for a new decision of hers (for every recipient).
   */
  record AddressTaken() implements SuppressionReason {
    @Override
    public String code() {
      return "address-taken";
    }
  }

  /** At hand-over, the outbox entry was no longer this worker's (another claimed it). */
  record LeaseLost() implements SuppressionReason {
    @Override
    public String code() {
      return "lease-lost";
    }
  }

  /** The template needs a value the profile or trigger does not have. */
  record MissingField(String path) implements SuppressionReason {
    public MissingField {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String code() {
      return "missing-field:" + path;
    }
  }

  /** Rendering the template failed with an exception of this simple class name. */
  record TemplateFailed(String exception) implements SuppressionReason {
    public TemplateFailed {
      Objects.requireNonNull(exception, "exception");
    }

    @Override
    public String code() {
      return "template-failed:" + exception;
    }
  }

  /** One of the rule's {@link Suppression}s matched, by its name. */
  record SuppressionMatched(String suppression) implements SuppressionReason {
    public SuppressionMatched {
      Objects.requireNonNull(suppression, "suppression");
    }

    @Override
    public String code() {
      return "suppression:" + suppression;
    }
  }

  /** A {@link FrequencyCap} of the channel was reached. */
  record FrequencyCapped(int max, Duration window) implements SuppressionReason {
    public FrequencyCapped {
      Objects.requireNonNull(window, "window");
    }

    @Override
    public String code() {
      return "frequency-cap:" + max + "/" + window;
    }
  }

  /** A code this version does not know (written by a newer one), kept as it is. */
  record Unknown(String code) implements SuppressionReason {
    public Unknown {
      Objects.requireNonNull(code, "code");
    }
  }

  /** The typed reason of a stored code; {@link Unknown} when it is none of the above. */
  static SuppressionReason parse(String code) {
    Objects.requireNonNull(code, "code");
    switch (code) {
      case "rule-removed": return new RuleRemoved();
      case "channel-removed": return new ChannelRemoved();
      case "profile-gone": return new ProfileGone();
      case "restricted": return new Restricted();
      case "no-consent": return new NoConsent();
      case "consent-denied": return new ConsentDenied();
      case "consent-expired": return new ConsentExpired();
      case "address-gone": return new AddressGone();
      case "address-taken": return new AddressTaken();
      case "lease-lost": return new LeaseLost();
      default: break;
    }
    if (code.startsWith("recheck:not-member:")) {
      return new NotMember(code.substring("recheck:not-member:".length()));
    }
    if (code.startsWith("recheck:event-since:")) {
      return new EventSince(code.substring("recheck:event-since:".length()));
    }
    if (code.startsWith("missing-field:")) {
      return new MissingField(code.substring("missing-field:".length()));
    }
    if (code.startsWith("template-failed:")) {
      return new TemplateFailed(code.substring("template-failed:".length()));
    }
    if (code.startsWith("suppression:")) {
      return new SuppressionMatched(code.substring("suppression:".length()));
    }
    if (code.startsWith("no-address:[") && code.endsWith("]")) {
      String inner = code.substring("no-address:[".length(), code.length() - 1);
      List<String> types = new ArrayList<>();
      for (String t : inner.split(",")) {
        if (!t.isBlank()) {
          types.add(t.strip());
        }
      }
      return new NoAddress(types);
    }
    if (code.startsWith("frequency-cap:")) {
      String rest = code.substring("frequency-cap:".length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        try {
          return new FrequencyCapped(Integer.parseInt(rest.substring(0, slash)),
              Duration.parse(rest.substring(slash + 1)));
        } catch (NumberFormatException | DateTimeParseException e) {
          return new Unknown(code);
        }
      }
    }
    return new Unknown(code);
  }

  /**
   * The typed reason of a delivery line: empty unless its outcome is {@code suppressed}.
   */
  static java.util.Optional<SuppressionReason> of(
      io.cdpkit.activation.spi.storage.Delivery d) {
    if (!"suppressed".equals(d.outcome()) || d.reason() == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(parse(d.reason()));
  }
}
