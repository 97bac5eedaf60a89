package io.cdpkit.core.tcf;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the purposes of a {@link TcString} into CDPKit consent decisions: each {@link Rule} names
 * a CDPKit (purpose, channel) pair and the TCF purposes it needs, and {@link #consentChanges}
 * gives one {@link ConsentChange} per rule, granted or denied, for an event to carry.
 *
 * <pre>{@code
 * TcfMapping tcf = TcfMapping.builder().defaultRules().vendorId(1234).build();
 * TcString tc = TcString.decode(cookieValue);
 * cdp.ingest(tcf.addTo(Event.track("Consent Updated"), tc)
 *     .messageId(requestId).anonymousId(anonymousId)
 *     .property("tc_string", cookieValue)
 *     .build());
 * }</pre>
 *
 * <h2>The default rules</h2>
 * Purpose names follow TCF v2.2 (purposes 1 to 11):
 * <table>
 *   <caption>default rules</caption>
 *   <tr><th>CDPKit purpose / channel</th><th>needs TCF purposes</th></tr>
 *   <tr><td>{@code marketing} / {@code ads}</td><td>3 create profiles for personalised
 *       advertising, 4 use profiles to select personalised advertising</td></tr>
 *   <tr><td>{@code personalisation} / {@code web}</td><td>5 create profiles to personalise
 *       content, 6 use profiles to select personalised content</td></tr>
 *   <tr><td>{@code analytics} / {@code web}</td><td>8 measure content performance, 9 understand
 *       audiences through statistics or combinations of data from different sources</td></tr>
 *   <tr><td>{@code analytics} / {@code ads}</td><td>7 measure advertising performance</td></tr>
 * </table>
 * Why: an ad audience built from profiles is both of purposes 3 and 4, so {@code marketing} on
 * {@code ads} (the purpose activation rules for ad audiences use) needs both; likewise 5 and 6
 * for personalising the shop. Site analytics in a CDP combines sources, so it needs 9 as well as
 * 8; measuring ads (7) is kept apart on {@code ads}. Purpose 1 (storing or reading on the device)
 * is in no default rule: it governs the browser tag, which the CMP gates before any event
 * reaches CDPKit, not the processing of data CDPKit holds. Purposes 2, 10, 11 and the special
 * features have no CDPKit counterpart by default. A host that reads the law or its CMP setup
 * differently states its own rules ({@link Builder#rule}); a rule needing purpose 1 counts it as
 * given when {@link TcString#purposeOneTreatment()} says purpose 1 was not disclosed.
 *
 * <h2>When a rule is granted</h2>
 * Only when every TCF purpose it needs is consented to ({@link TcString#purposesConsent()};
 * legitimate interest never grants consent). When the host names its own GVL vendor id
 * ({@link Builder#vendorId}), also only when that vendor has consent
 * ({@link TcString#vendorConsents()}) and no publisher restriction forbids it
 * ({@link PublisherRestriction.Type#NOT_ALLOWED}) or demands legitimate interest instead
 * ({@link PublisherRestriction.Type#REQUIRE_LEGITIMATE_INTEREST}) for one of those purposes. A
 * host that is the publisher rather than a vendor reads its own purposes from the publisher TC
 * segment instead ({@link Builder#publisherPurposes()}); a string without that segment then
 * grants nothing. Every rule gives a decision, denied when not granted: a TC string states the
 * whole current choice, so a purpose no longer consented to is withdrawn.
 *
 * <h2>Proof</h2>
 * The TC string itself is the proof of these decisions: keep it with the event (a property, as
 * above, or the consent proof field where the host's CDPKit version has one). It identifies one
 * browser, so it is personal data and is erased with the person's events. Use the time the CMP
 * reported the choice as the event's time, not {@link TcString#lastUpdated()}: since TCF v2.2,
 * CMPs round that to the day.
 *
 * <p>Limits: at most {@value #MAX_RULES} rules; each (purpose, channel) pair once.
 *
 * <p>Immutable and thread-safe.
 */
public final class TcfMapping {
  /** Most rules one mapping holds. */
  public static final int MAX_RULES = 256;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  /**
   * One CDPKit (purpose, channel) pair and the TCF purposes it needs.
   *
   * <p>Immutable.
   *
   * @param purpose a CDPKit purpose, {@code [a-z][a-z0-9_-]{0,63}}
   * @param channel a CDPKit channel, {@code [a-z][a-z0-9_-]{0,63}}
   * @param tcfPurposes the TCF purposes (1 to 24) that must all be consented to; not empty
   */
  public record Rule(String purpose, String channel, IdSet tcfPurposes) {
    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when a name does not match, or {@code tcfPurposes} is
     *     empty or holds an id above 24
     */
    public Rule {
      if (purpose == null || !NAME.matcher(purpose).matches()) {
        throw new IllegalArgumentException("purpose: must match [a-z][a-z0-9_-]{0,63}");
      }
      if (channel == null || !NAME.matcher(channel).matches()) {
        throw new IllegalArgumentException("channel: must match [a-z][a-z0-9_-]{0,63}");
      }
      IdSet.requireWithin(tcfPurposes, TcString.PURPOSES, "tcfPurposes");
      if (tcfPurposes.isEmpty()) {
        throw new IllegalArgumentException("tcfPurposes: must name at least one TCF purpose");
      }
    }

    /** The (purpose, channel) pair. */
    public ConsentKey key() {
      return new ConsentKey(purpose, channel);
    }
  }

  private final List<Rule> rules;
  private final int vendorId;
  private final boolean publisherPurposes;

  private TcfMapping(Builder b) {
    this.rules = List.copyOf(b.rules);
    this.vendorId = b.vendorId;
    this.publisherPurposes = b.publisherPurposes;
  }

  /** The default rules (see the class description), no vendor id, the vendors' purposes. */
  public static TcfMapping defaults() {
    return builder().defaultRules().build();
  }

  /** An empty builder; add {@link Builder#defaultRules()} or rules of your own. */
  public static Builder builder() {
    return new Builder();
  }

  /** The rules, in the order the decisions come out; unmodifiable. */
  public List<Rule> rules() {
    return rules;
  }

  /** The host's GVL vendor id whose consent is needed too, if one was set. */
  public OptionalInt vendorId() {
    return vendorId == 0 ? OptionalInt.empty() : OptionalInt.of(vendorId);
  }

  /** Whether the rules read the publisher TC segment instead of the vendors' purposes. */
  public boolean publisherPurposes() {
    return publisherPurposes;
  }

  /**
   * One decision per rule, in rule order: granted when the string grants every TCF purpose the
   * rule needs (see "When a rule is granted"), denied otherwise.
   */
  public List<ConsentChange> consentChanges(TcString tc) {
    Objects.requireNonNull(tc, "tc");
    List<ConsentChange> out = new ArrayList<>(rules.size());
    for (Rule r : rules) {
      out.add(new ConsentChange(r.purpose(), r.channel(), grants(tc, r)));
    }
    return List.copyOf(out);
  }

  /**
   * Adds {@link #consentChanges(TcString)} to {@code event} through
   * {@link Event.Builder#consent(ConsentChange)} and returns it, for chaining.
   */
  public Event.Builder addTo(Event.Builder event, TcString tc) {
    Objects.requireNonNull(event, "event");
    for (ConsentChange c : consentChanges(tc)) {
      event.consent(c);
    }
    return event;
  }

  /** Whether {@code tc} grants {@code rule} under this mapping. */
  public boolean grants(TcString tc, Rule rule) {
    Objects.requireNonNull(tc, "tc");
    Objects.requireNonNull(rule, "rule");
    IdSet consented;
    if (publisherPurposes) {
      if (tc.publisherTc().isEmpty()) {
        return false;
      }
      consented = tc.publisherTc().get().pubPurposesConsent();
    } else {
      consented = tc.purposesConsent();
      if (vendorId != 0 && !tc.vendorConsents().contains(vendorId)) {
        return false;
      }
    }
    int[] needed = rule.tcfPurposes().stream().toArray();
    for (int p : needed) {
      boolean given = consented.contains(p) || (p == 1 && tc.purposeOneTreatment());
      if (!given) {
        return false;
      }
      if (vendorId != 0 && !publisherPurposes
          && (tc.isRestricted(p, vendorId, PublisherRestriction.Type.NOT_ALLOWED)
              || tc.isRestricted(p, vendorId,
                  PublisherRestriction.Type.REQUIRE_LEGITIMATE_INTEREST))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "TcfMapping[rules=" + rules + ", vendorId=" + vendorId + ", publisherPurposes="
        + publisherPurposes + "]";
  }

  /**
   * Builds a {@link TcfMapping}; each setting is checked at once.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final Set<ConsentKey> keys = new HashSet<>();
    private int vendorId;
    private boolean publisherPurposes;

    private Builder() {}

    /** Adds the default rules (see {@link TcfMapping}). */
    public Builder defaultRules() {
      rule("marketing", "ads", 3, 4);
      rule("personalisation", "web", 5, 6);
      rule("analytics", "web", 8, 9);
      rule("analytics", "ads", 7);
      return this;
    }

    /**
     * Adds a rule: {@code purpose} on {@code channel} is granted when every one of
     * {@code tcfPurposes} is.
     *
     * @throws IllegalArgumentException when the rule is invalid ({@link Rule}), its pair was
     *     already mapped, or there would be more than {@value #MAX_RULES} rules
     */
    public Builder rule(String purpose, String channel, int... tcfPurposes) {
      return rule(new Rule(purpose, channel, IdSet.of(tcfPurposes)));
    }

    /**
     * Adds a rule.
     *
     * @throws IllegalArgumentException when its pair was already mapped, or there would be more
     *     than {@value #MAX_RULES} rules
     */
    public Builder rule(Rule rule) {
      Objects.requireNonNull(rule, "rule");
      if (!keys.add(rule.key())) {
        throw new IllegalArgumentException("rule: " + rule.key() + " was already mapped");
      }
      if (rules.size() == MAX_RULES) {
        keys.remove(rule.key());
        throw new IllegalArgumentException("rule: at most " + MAX_RULES + " rules");
      }
      rules.add(rule);
      return this;
    }

    /**
     * The host's own vendor id in the IAB Global Vendor List: rules then also need that
     * vendor's consent and no publisher restriction against it.
     *
     * @throws IllegalArgumentException when {@code vendorId} is not 1 to 65535
     * @throws IllegalStateException when a vendor id was already set, or publisher purposes
     *     were chosen
     */
    public Builder vendorId(int vendorId) {
      if (vendorId < 1 || vendorId > IdSet.MAX_ID) {
        throw new IllegalArgumentException("vendorId: " + vendorId + " is not 1-65535");
      }
      if (this.vendorId != 0) {
        throw new IllegalStateException("vendorId was already set to " + this.vendorId);
      }
      if (publisherPurposes) {
        throw new IllegalStateException(
            "vendorId: publisher purposes were chosen; they involve no vendor");
      }
      this.vendorId = vendorId;
      return this;
    }

    /**
     * Reads the publisher's own purposes (the publisher TC segment) instead of the vendors':
     * for a host that is the publisher of the site and not a vendor.
     *
     * @throws IllegalStateException when a vendor id was set
     */
    public Builder publisherPurposes() {
      if (vendorId != 0) {
        throw new IllegalStateException(
            "publisherPurposes: vendorId was already set; publisher purposes involve no vendor");
      }
      this.publisherPurposes = true;
      return this;
    }

    /**
     * The mapping.
     *
     * @throws IllegalStateException when there are no rules
     */
    public TcfMapping build() {
      if (rules.isEmpty()) {
        throw new IllegalStateException("rules: none given; add defaultRules() or a rule");
      }
      return new TcfMapping(this);
    }
  }
}
