package io.cdpkit.core.model;

import java.util.Map;
import java.util.Optional;

/**
 * Which identifiers a consent channel's decisions are bound to: a decision an event carries for
 * consent channel {@code email} is bound to the event's own (normalised) {@code email}
 * identifiers, one for {@code sms} or {@code phone} to its {@code phone} identifiers, one for
 * {@code push} to its {@code device_id} identifiers. A decision whose event has no identifier
 * of that type, and every decision for another consent channel ({@code direct-mail},
 * {@code ads}, {@code web}, {@code social}, custom ones), is profile-level.
 *
 * <p>Why these: e-mail, SMS, phone and push are sent to exactly that contact point, and a
 * person who says yes or no to them says it for the address in front of her. Direct mail goes
 * to a postal address, which CDPKit does not keep as an identifier; ad audiences are matched
 * on hashed e-mails and phones by the ad platform, and consent to ads is consent to profiling
 * the person, not one address, so it stays profile-level.
 *
 * <p>How the two levels combine when a message is sent to an address: see
 * {@link ProfileState#consentFor(ConsentKey, Identifier)}.
 *
 * <p>Limits: the mapping is fixed (not configurable per host); a host-defined identifier type
 * is never an address for consent.
 *
 * <p>Immutable; static only.
 */
public final class ConsentAddresses {
  private static final Map<String, IdentifierType> TYPES = Map.of(
      "email", IdentifierType.EMAIL,
      "sms", IdentifierType.PHONE,
      "phone", IdentifierType.PHONE,
      "push", IdentifierType.DEVICE_ID);

  private ConsentAddresses() {}

  /** The identifier type decisions for a consent channel are bound to, if any. */
  public static Optional<IdentifierType> addressType(String consentChannel) {
    return Optional.ofNullable(TYPES.get(consentChannel));
  }

  /** The whole mapping, consent channel to identifier type. */
  public static Map<String, IdentifierType> mapping() {
    return TYPES;
  }
}
