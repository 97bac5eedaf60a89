package io.cdpkit.segmentation;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A profile entered or left a segment.
 *
 * <p>Immutable.
 *
 * @param workspace the workspace
 * @param segment the segment's id
 * @param profile the profile
 * @param kind entered or exited
 * @param at when, by the clock of the {@code Cdp}
 * @param cause why (see {@link Cause.Type} for every cause); its {@link Cause#toString() text
 *     form} ({@code event:<messageId>}, {@code merge:<survivor id>}, {@code time}, ...) is what
 *     other extensions see as the signal's cause and what is stored and logged
 */
public record SegmentEvent(WorkspaceId workspace, String segment, ProfileId profile, Kind kind,
    Instant at, Cause cause) {
  /** Entered or exited. */
  public enum Kind {
    ENTERED,
    EXITED
  }

  public SegmentEvent {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(segment, "segment");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(cause, "cause");
  }

  /**
   * Why a profile entered or left a segment: a {@link Type} and, for {@link Type#EVENT} and
   * {@link Type#MERGE}, a detail (the event's messageId, the survivor's profile id). Callers
   * {@code switch} on {@link #type()}; the text form ({@link #toString()}, read back by
   * {@link #parse}) is for storage, signals and logs.
   *
   * <p>Immutable.
   *
   * @param type the kind of cause
   * @param detail the messageId for {@link Type#EVENT}, the survivor's id for
   *     {@link Type#MERGE}, {@code null} for every other type
   */
  public record Cause(Type type, @Nullable String detail) {
    /** Every cause the engine gives; each one's text is its lower-case name. */
    public enum Type {
      /** An event changed the profile; the detail is its messageId. */
      EVENT,
      /** Time passed: a window slid, a relative date moved on, a consent expired. */
      TIME,
      /**
       * The profile was merged into another and left all its segments; the detail is the
       * survivor's profile id.
       */
      MERGE,
      /** The profile was split off by an unmerge, or what remained of it was recomputed. */
      UNMERGE,
      /**
       * Profiles were recomputed: a computed trait was added or changed, a catalog field that
       * a computed trait or segment reads through {@code $catalog} changed, or the model
       * behind derived traits was refitted (predictions, recommendations).
       */
      RECOMPUTE,
      /** The segment, or one it reads, was saved or deleted. */
      DEFINITION,
      /** The profile was restricted (it leaves every segment). */
      RESTRICT,
      /** A restriction was lifted (it re-enters what it qualifies for). */
      UNRESTRICT,
      /** Traits were rectified. */
      RECTIFY,
      /** The person was erased: the profile is gone, or what remained was recomputed. */
      ERASE,
      /** Retention purged old events and the profile was recomputed. */
      PURGE;

      /** The text form: the lower-case name. */
      public String text() {
        return name().toLowerCase(Locale.ROOT);
      }

      /**
       * The type with this text form.
       *
       * @throws IllegalArgumentException for a text that names no type
       */
      public static Type ofText(String text) {
        for (Type t : values()) {
          if (t.text().equals(text)) {
            return t;
          }
        }
        throw new IllegalArgumentException("unknown segment event cause: " + text);
      }
    }

    /**
     * Checks that the detail is there exactly for {@link Type#EVENT} and {@link Type#MERGE}.
     *
     * @throws IllegalArgumentException when it is not
     */
    public Cause {
      Objects.requireNonNull(type, "type");
      boolean needs = type == Type.EVENT || type == Type.MERGE;
      if (needs != (detail != null)) {
        throw new IllegalArgumentException("cause " + type.text()
            + (needs ? " needs a detail" : " takes no detail"));
      }
    }

    /** A cause without detail. */
    public static Cause of(Type type) {
      return new Cause(type, null);
    }

    /** An event changed the profile. */
    public static Cause event(String messageId) {
      return new Cause(Type.EVENT, Objects.requireNonNull(messageId, "messageId"));
    }

    /** The profile was merged into {@code survivor}. */
    public static Cause merge(ProfileId survivor) {
      return new Cause(Type.MERGE, survivor.toString());
    }

    /**
     * Reads the text form.
     *
     * @throws IllegalArgumentException for a text that is no cause
     */
    public static Cause parse(String text) {
      int colon = text.indexOf(':');
      Type t = Type.ofText(colon < 0 ? text : text.substring(0, colon));
      return new Cause(t, colon < 0 ? null : text.substring(colon + 1));
    }

    /** The messageId of an {@link Type#EVENT} cause. */
    public java.util.Optional<String> messageId() {
      return java.util.Optional.ofNullable(type == Type.EVENT ? detail : null);
    }

    /** The text form: {@code type} or {@code type:detail}. */
    @Override
    public String toString() {
      return detail == null ? type.text() : type.text() + ":" + detail;
    }
  }
}
