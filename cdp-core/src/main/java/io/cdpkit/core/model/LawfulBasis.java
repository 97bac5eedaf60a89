package io.cdpkit.core.model;

import io.cdpkit.core.InvalidEventException;
import java.util.Locale;

/**
 * The lawful basis of processing a consent decision rests on, after GDPR Art. 6(1)(a) to (f).
 * On the wire it is the lower-case name ({@code "consent"}, {@code "legitimate_interests"}).
 *
 * <p>Immutable.
 */
public enum LawfulBasis {
  /** Art. 6(1)(a): the person consented. The default. */
  CONSENT,
  /** Art. 6(1)(b): needed for a contract with the person. */
  CONTRACT,
  /** Art. 6(1)(c): needed to comply with a legal obligation. */
  LEGAL_OBLIGATION,
  /** Art. 6(1)(d): needed to protect someone's vital interests. */
  VITAL_INTERESTS,
  /** Art. 6(1)(e): a task in the public interest or official authority. */
  PUBLIC_TASK,
  /** Art. 6(1)(f): the controller's or a third party's legitimate interests. */
  LEGITIMATE_INTERESTS;

  /** The wire name: the constant's name in lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The basis with this wire name.
   *
   * @throws InvalidEventException at the empty pointer when the name is not one of the six
   */
  public static LawfulBasis fromWireName(String name) {
    for (LawfulBasis b : values()) {
      if (b.wireName().equals(name)) {
        return b;
      }
    }
    throw new InvalidEventException("", "must be one of consent, contract, legal_obligation, "
        + "vital_interests, public_task, legitimate_interests");
  }
}
