package io.cdpkit.core.tcf;

import io.cdpkit.core.CdpException;
import java.util.Objects;

/**
 * A TC string could not be decoded. {@link #segment()} names the segment ({@code core},
 * {@code disclosedVendors}, {@code allowedVendors}, {@code publisherTC}; {@code segment 2} and so on
 * for an optional segment whose type is not known yet; {@code ""} for the string as a whole), {@link #field()} the field being read (its name in the TCF v2
 * specification, in camel case: {@code cmpId}, {@code vendorConsents.maxVendorId}, ...),
 * {@link #bitOffset()} where that field starts within its segment's bits ({@code -1} when the
 * problem is not at one bit), and {@link #reason()} what is wrong.
 *
 * <p>Neither the message nor any accessor carries the string or a value decoded from it: a TC
 * string is tied to one person's browser, so it is treated as personal data and stays out of
 * logs.
 *
 * <p>Immutable.
 */
public final class InvalidTcStringException extends CdpException {
  private static final long serialVersionUID = 1L;

  private final String segment;
  private final String field;
  private final int bitOffset;
  private final String reason;

  /**
   * An exception about {@code field} of {@code segment} at {@code bitOffset} ({@code -1}: not at
   * one bit).
   */
  public InvalidTcStringException(String segment, String field, int bitOffset, String reason) {
    super(describe(segment, field, bitOffset, reason));
    this.segment = Objects.requireNonNull(segment, "segment");
    this.field = Objects.requireNonNull(field, "field");
    this.bitOffset = bitOffset;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The segment, or {@code ""} for the string as a whole. */
  public String segment() {
    return segment;
  }

  /** The field being read, or {@code ""} when the problem is not in one field. */
  public String field() {
    return field;
  }

  /** Where the field starts, in bits from the start of its segment; {@code -1} if none. */
  public int bitOffset() {
    return bitOffset;
  }

  /** What is wrong, without any value from the string. */
  public String reason() {
    return reason;
  }

  private static String describe(String segment, String field, int bitOffset, String reason) {
    StringBuilder sb = new StringBuilder("invalid TC string");
    if (!segment.isEmpty()) {
      sb.append(", ").append(segment.startsWith("segment ") ? segment : segment + " segment");
    }
    if (!field.isEmpty()) {
      sb.append(", field ").append(field);
    }
    if (bitOffset >= 0) {
      sb.append(" at bit ").append(bitOffset);
    }
    return sb.append(": ").append(reason).toString();
  }
}
