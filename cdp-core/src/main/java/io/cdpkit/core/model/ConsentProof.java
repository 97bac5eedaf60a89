package io.cdpkit.core.model;

import io.cdpkit.core.InvalidEventException;
import java.time.Instant;
import java.util.Comparator;
import org.jspecify.annotations.Nullable;

/**
 * Where the evidence of a consent decision is kept: references the host can produce when asked
 * to prove the decision, never the evidence itself. On the wire it is the {@code proof} object
 * of a consent entry: {@code {"formId": "newsletter-footer-v3", "reference": "doi-7f3a9c",
 * "confirmedAt": "2026-03-01T10:20:00Z"}}, each key optional, at least one present.
 *
 * <p>Put references here, not personal data: a form or banner id, the id of a double opt-in
 * confirmation, of a signed paper form's scan, of a CMP record.
 *
 * <p>Immutable.
 *
 * @param formId the form, banner or script the person answered, 1 to {@value #MAX_LENGTH}
 *     characters
 * @param reference the id of the stored evidence (a double opt-in confirmation, a CMP record),
 *     1 to {@value #MAX_LENGTH} characters
 * @param confirmedAt when a double opt-in was confirmed
 */
public record ConsentProof(@Nullable String formId, @Nullable String reference,
    @Nullable Instant confirmedAt) implements Comparable<ConsentProof> {
  /** Longest form id or reference, in characters. */
  public static final int MAX_LENGTH = 200;

  private static final Comparator<ConsentProof> ORDER =
      Comparator.comparing(ConsentProof::formId, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(ConsentProof::reference,
              Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(ConsentProof::confirmedAt,
              Comparator.nullsFirst(Comparator.naturalOrder()));

  /**
   * Checks the parts.
   *
   * @throws InvalidEventException naming {@code /formId} or {@code /reference} when too long,
   *     blank or holding control characters, or the empty pointer when all parts are absent
   */
  public ConsentProof {
    ConsentChange.checkText(formId, "/formId", MAX_LENGTH);
    ConsentChange.checkText(reference, "/reference", MAX_LENGTH);
    if (formId == null && reference == null && confirmedAt == null) {
      throw new InvalidEventException("", "needs formId, reference or confirmedAt");
    }
  }

  /** Orders proofs by their parts, absent parts first (for a total order of decisions). */
  @Override
  public int compareTo(ConsentProof o) {
    return ORDER.compare(this, o);
  }
}
