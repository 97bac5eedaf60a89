package io.cdpkit.core.tcf;

import java.util.Objects;

/**
 * One publisher restriction of a TC string's core segment: for {@code purposeId}, the publisher
 * restricts how the listed vendors may process ({@link Type}).
 *
 * <p>Immutable.
 *
 * @param purposeId the TCF purpose, 1 to 63 (6 bits)
 * @param type what the publisher requires
 * @param vendors the vendors restricted, ids 1 to {@value IdSet#MAX_ID}
 */
public record PublisherRestriction(int purposeId, Type type, IdSet vendors) {
  /** The restriction types of the TCF v2 specification, with their 2-bit codes. */
  public enum Type {
    /** 0: the vendor may not process for the purpose at all. */
    NOT_ALLOWED,
    /** 1: the vendor may process for the purpose only with consent. */
    REQUIRE_CONSENT,
    /** 2: the vendor may process for the purpose only on legitimate interest. */
    REQUIRE_LEGITIMATE_INTEREST,
    /** 3: undefined by the specification; kept as read, and {@link TcfMapping} ignores it. */
    UNDEFINED;

    /** The 2-bit code. */
    public int code() {
      return ordinal();
    }

    /**
     * The type of a 2-bit code.
     *
     * @throws IllegalArgumentException when {@code code} is not 0 to 3
     */
    public static Type ofCode(int code) {
      if (code < 0 || code > 3) {
        throw new IllegalArgumentException("type: code " + code + " is not 0-3");
      }
      return values()[code];
    }
  }

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException when {@code purposeId} is not 1 to 63
   * @throws NullPointerException when {@code type} or {@code vendors} is null
   */
  public PublisherRestriction {
    if (purposeId < 1 || purposeId > 63) {
      throw new IllegalArgumentException("purposeId: " + purposeId + " is not 1-63");
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(vendors, "vendors");
  }
}
