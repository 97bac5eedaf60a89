package io.cdpkit.core.model;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.Text;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A consent decision carried by an event: the person granted or denied {@code purpose} on
 * {@code channel} at the event's time, with the evidence for it. On the wire it is an element
 * of the message's {@code consent} array:
 *
 * <pre>{@code
 * {"purpose": "marketing", "channel": "email", "granted": true,
 *  "basis": "consent", "source": "webshop-checkout", "policyVersion": "2026-01",
 *  "proof": {"formId": "checkout-optin-v2", "reference": "doi-7f3a9c",
 *            "confirmedAt": "2026-03-01T10:20:00Z"},
 *  "expiresAt": "2028-03-01T00:00:00Z"}
 * }</pre>
 *
 * Only {@code purpose}, {@code channel} and {@code granted} are required; a missing
 * {@code basis} is {@code consent}.
 *
 * <p>Limits: purpose and channel match {@code [a-z][a-z0-9_-]{0,63}}; source and policy version
 * are 1 to {@value #MAX_SOURCE_LENGTH} and {@value #MAX_POLICY_VERSION_LENGTH} characters that
 * follow the text rule of names (no control character, no unpaired surrogate; see {@link Event}); see {@link ConsentProof} for the proof. Errors name the field as a JSON
 * pointer relative to the entry ({@code /source}, {@code /proof/formId}); the codec prefixes the
 * entry's own pointer ({@code /consent/0/source}).
 *
 * <p>Immutable.
 *
 * @param purpose lower-case purpose ({@code marketing}, {@code analytics},
 *     {@code personalisation}, {@code profiling}, {@code third_party_sharing}, or a custom one)
 * @param channel lower-case channel ({@code email}, {@code sms}, {@code push},
 *     {@code direct-mail}, {@code phone}, {@code web}, {@code social}, {@code ads}, or a custom
 *     one)
 * @param granted whether consent was given ({@code false}: denied or withdrawn)
 * @param basis the lawful basis the decision rests on ({@code null} is taken as
 *     {@link LawfulBasis#CONSENT})
 * @param source where the decision was taken ({@code webshop-checkout}, {@code pos},
 *     {@code cmp}, ...)
 * @param policyVersion the version of the privacy policy or consent text the person saw
 * @param proof where the evidence is kept
 * @param expiresAt when a grant stops being valid; from that instant on it counts as expired
 *     (see {@link ConsentStatus#EXPIRED}). Ignored on a denial.
 */
public record ConsentChange(String purpose, String channel, boolean granted, LawfulBasis basis,
    @Nullable String source, @Nullable String policyVersion, @Nullable ConsentProof proof,
    @Nullable Instant expiresAt) {
  /** Longest source, in characters. */
  public static final int MAX_SOURCE_LENGTH = 100;
  /** Longest policy version, in characters. */
  public static final int MAX_POLICY_VERSION_LENGTH = 64;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  /**
   * Checks every field.
   *
   * @throws InvalidEventException naming the first field that breaks a rule
   */
  public ConsentChange {
    if (purpose == null || !NAME.matcher(purpose).matches()) {
      throw new InvalidEventException("/purpose", "must match [a-z][a-z0-9_-]{0,63}");
    }
    if (channel == null || !NAME.matcher(channel).matches()) {
      throw new InvalidEventException("/channel", "must match [a-z][a-z0-9_-]{0,63}");
    }
    basis = basis == null ? LawfulBasis.CONSENT : basis;
    checkText(source, "/source", MAX_SOURCE_LENGTH);
    checkText(policyVersion, "/policyVersion", MAX_POLICY_VERSION_LENGTH);
  }

  /** A decision without evidence: basis consent, no source, policy version, proof or expiry. */
  public ConsentChange(String purpose, String channel, boolean granted) {
    this(purpose, channel, granted, LawfulBasis.CONSENT, null, null, null, null);
  }

  /** The (purpose, channel) pair this decision is about. */
  public ConsentKey key() {
    return new ConsentKey(purpose, channel);
  }

  /** A builder for a decision with evidence. */
  public static Builder builder(String purpose, String channel, boolean granted) {
    return new Builder(purpose, channel, granted);
  }

  static void checkText(@Nullable String s, String pointer, int max) {
    if (s == null) {
      return;
    }
    if (s.isBlank() || s.length() > max) {
      throw new InvalidEventException(pointer, "must be 1 to " + max + " characters, not blank");
    }
    Text.name(s, pointer);
  }

  /**
   * Builds a {@link ConsentChange}; each setter may be called once. Not thread-safe.
   *
   * <pre>{@code
   * ConsentChange c = ConsentChange.builder("marketing", "email", true)
   *     .source("webshop-checkout").policyVersion("2026-01")
   *     .proof(new ConsentProof("checkout-optin-v2", "doi-7f3a9c", confirmedAt))
   *     .expiresAt(confirmedAt.plus(Duration.ofDays(730)))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final String purpose;
    private final String channel;
    private final boolean granted;
    private @Nullable LawfulBasis basis;
    private @Nullable String source;
    private @Nullable String policyVersion;
    private @Nullable ConsentProof proof;
    private @Nullable Instant expiresAt;

    private Builder(String purpose, String channel, boolean granted) {
      this.purpose = purpose;
      this.channel = channel;
      this.granted = granted;
    }

    private static void once(@Nullable Object old, String name) {
      if (old != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    public Builder basis(LawfulBasis basis) {
      once(this.basis, "basis");
      this.basis = Objects.requireNonNull(basis, "basis");
      return this;
    }

    public Builder source(String source) {
      once(this.source, "source");
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder policyVersion(String policyVersion) {
      once(this.policyVersion, "policyVersion");
      this.policyVersion = Objects.requireNonNull(policyVersion, "policyVersion");
      return this;
    }

    public Builder proof(ConsentProof proof) {
      once(this.proof, "proof");
      this.proof = Objects.requireNonNull(proof, "proof");
      return this;
    }

    public Builder expiresAt(Instant expiresAt) {
      once(this.expiresAt, "expiresAt");
      this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
      return this;
    }

    /**
     * The decision.
     *
     * @throws InvalidEventException naming the first field that breaks a rule
     */
    public ConsentChange build() {
      return new ConsentChange(purpose, channel, granted, basis, source, policyVersion, proof,
          expiresAt);
    }
  }
}
