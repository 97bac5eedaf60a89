package io.cdpkit.activation;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * How the consent gate decides. A message for a purpose through a channel goes to a recipient
 * address only if the decision that governs that address for the purpose on the channel's
 * consent channel ({@link io.cdpkit.core.model.ProfileState#consentFor}: the address's own
 * denial always blocks it; its own grant opens it unless a later profile-level denial exists;
 * an address without a decision of its own follows the profile-level decisions) is a grant,
 * has not reached the expiry it was recorded with ({@code expiresAt}) and is not older than
 * {@link #maxAge()} (when set). A message with no recipient left is suppressed: no consent
 * recorded ({@code no-consent}), a denial or a withdrawal ({@code consent-denied}) or an
 * expired grant ({@code consent-expired}), the strongest of its addresses' reasons; the
 * history says which, and the delivery detail records the governing decision's messageId,
 * time, lawful basis, source, policy version, expiry and proof references. The gate is judged
 * when the batch is gated and again on the channel's worker right before the channel is
 * called, at the clock's instant then.
 *
 * <p>Before any of this, a profile whose processing is restricted (see
 * {@link io.cdpkit.core.Profiles#restrict}) gets nothing, whatever the basis: reason
 * {@code restricted}, also for entries decided before the restriction.
 *
 * <p>Purposes listed in {@link #contractBasis()} (for example {@code service}: an order
 * confirmation, a delivery notice) are sent without consent, on the lawful basis of the
 * contract; the history records that basis. None is listed unless the host lists it.
 *
 * <p>Immutable.
 */
public final class ConsentPolicy {
  /** Consent required for every purpose, never expiring. */
  public static final ConsentPolicy STRICT = new ConsentPolicy(Set.of(), null);

  private final Set<String> contractBasis;
  private final @Nullable Duration maxAge;

  private ConsentPolicy(Set<String> contractBasis, @Nullable Duration maxAge) {
    this.contractBasis = Set.copyOf(new TreeSet<>(contractBasis));
    this.maxAge = maxAge;
  }

  /** This policy, also sending these purposes without consent, on the contract basis. */
  public ConsentPolicy withContractBasis(String... purposes) {
    Set<String> s = new TreeSet<>(contractBasis);
    for (String p : purposes) {
      s.add(Objects.requireNonNull(p, "purpose"));
    }
    return new ConsentPolicy(s, maxAge);
  }

  /** This policy, treating grants older than {@code maxAge} as expired. */
  public ConsentPolicy withMaxAge(Duration maxAge) {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("consent.maxAge: must be positive");
    }
    return new ConsentPolicy(contractBasis, maxAge);
  }

  /** Purposes sent without consent. */
  public Set<String> contractBasis() {
    return contractBasis;
  }

  /** How old a grant may be; {@code null}: grants do not expire. */
  public @Nullable Duration maxAge() {
    return maxAge;
  }

  @Override
  public String toString() {
    return "ConsentPolicy[contractBasis=" + contractBasis + ", maxAge=" + maxAge + "]";
  }
}
