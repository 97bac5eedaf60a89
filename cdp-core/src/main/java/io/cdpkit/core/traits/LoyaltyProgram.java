package io.cdpkit.core.traits;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one loyalty program for {@link LoyaltyTraits}: how long earned points stay
 * valid when an event does not say, and the tiers.
 *
 * <pre>{@code
 * LoyaltyProgram club = LoyaltyProgram.builder("club")
 *     .validityDays(365)              // points without expires_at lapse 365 × 24 h after earning
 *     .tier("silver", 0).tier("gold", 1_000).tier("platinum", 5_000)
 *     .tierPeriodDays(365)            // tiers on points earned in the last 365 × 24 h
 *     .build();
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param name the program, as events name it in {@code properties.program} (compared ignoring
 *     case and surrounding spaces); matches {@link #NAME}
 * @param validityDays days (of 24 hours) that earned points stay valid when their event has no
 *     {@code expires_at}; 0 for no limit
 * @param tiers the tiers, by strictly ascending threshold; empty for none
 * @param tierPeriodDays the days (of 24 hours) looked back over for tier points; 0 for lifetime
 */
public record LoyaltyProgram(String name, int validityDays, List<Tier> tiers,
    int tierPeriodDays) {
  /** Program names: {@code [a-z][a-z0-9_]{0,31}}. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  /** Longest validity and tier period, in days (ten years). */
  public static final int MAX_DAYS = Window.MAX_DAYS;

  /**
   * A tier: reached with at least {@code minPoints} tier points.
   *
   * @param name the tier's name, the value of {@code loyalty_<program>_tier}; 1 to 64
   *     characters, not blank
   * @param minPoints the tier points needed, 0 to {@link LoyaltyTraits#MAX_POINTS}
   */
  public record Tier(String name, long minPoints) {
    /**
     * @throws IllegalArgumentException when the name is blank or longer than 64 characters, or
     *     the threshold out of range
     */
    public Tier {
      Objects.requireNonNull(name, "name");
      if (name.isBlank() || name.length() > 64) {
        throw new IllegalArgumentException("tier name must be 1 to 64 characters, not blank");
      }
      if (minPoints < 0 || minPoints > LoyaltyTraits.MAX_POINTS) {
        throw new IllegalArgumentException("tier " + name + ": minimum points must be 0 to "
            + LoyaltyTraits.MAX_POINTS + ", was " + minPoints);
      }
    }
  }

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException naming the setting that is wrong and why
   */
  public LoyaltyProgram {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("loyalty program name must match " + NAME.pattern()
          + ", was " + (name.length() > 40 ? name.substring(0, 40) + "..." : name));
    }
    tiers = List.copyOf(tiers);
    if (validityDays < 0 || validityDays > MAX_DAYS) {
      throw new IllegalArgumentException("loyalty program " + name + ": validity days must be"
          + " 0 (no limit) to " + MAX_DAYS + ", was " + validityDays);
    }
    if (tierPeriodDays < 0 || tierPeriodDays > MAX_DAYS) {
      throw new IllegalArgumentException("loyalty program " + name + ": tier period days must"
          + " be 0 (lifetime) to " + MAX_DAYS + ", was " + tierPeriodDays);
    }
    for (int i = 1; i < tiers.size(); i++) {
      if (tiers.get(i).minPoints() <= tiers.get(i - 1).minPoints()) {
        throw new IllegalArgumentException("loyalty program " + name + ": tier "
            + tiers.get(i).name() + " must need more points than tier " + tiers.get(i - 1).name());
      }
      for (int j = 0; j < i; j++) {
        if (tiers.get(j).name().equals(tiers.get(i).name())) {
          throw new IllegalArgumentException("loyalty program " + name + ": tier "
              + tiers.get(i).name() + " is declared twice");
        }
      }
    }
  }

  /** A builder for a program of this name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The program with defaults: no validity limit, no tiers. */
  public static LoyaltyProgram of(String name) {
    return builder(name).build();
  }

  /**
   * Builds a {@link LoyaltyProgram}; each setting may be made once, each tier once. Not
   * thread-safe.
   */
  public static final class Builder {
    private final String name;
    private @Nullable Integer validityDays;
    private @Nullable Integer tierPeriodDays;
    private final List<Tier> tiers = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Days (of 24 hours) that earned points stay valid when their event has no
     * {@code expires_at}; default no limit.
     *
     * @throws IllegalStateException when already set
     */
    public Builder validityDays(int days) {
      if (validityDays != null) {
        throw new IllegalStateException("validity days were already set to " + validityDays);
      }
      if (days < 1 || days > MAX_DAYS) {
        throw new IllegalArgumentException("validity days must be 1 to " + MAX_DAYS + ", was "
            + days);
      }
      validityDays = days;
      return this;
    }

    /**
     * Days (of 24 hours) looked back over for tier points; default lifetime.
     *
     * @throws IllegalStateException when already set
     */
    public Builder tierPeriodDays(int days) {
      if (tierPeriodDays != null) {
        throw new IllegalStateException("tier period days were already set to "
            + tierPeriodDays);
      }
      if (days < 1 || days > MAX_DAYS) {
        throw new IllegalArgumentException("tier period days must be 1 to " + MAX_DAYS
            + ", was " + days);
      }
      tierPeriodDays = days;
      return this;
    }

    /**
     * Adds a tier; tiers are added in ascending order of their thresholds.
     *
     * @throws IllegalArgumentException when the tier is not above the one added before, or its
     *     name is taken
     */
    public Builder tier(String tierName, long minPoints) {
      Tier t = new Tier(tierName, minPoints);
      for (Tier have : tiers) {
        if (have.name().equals(t.name())) {
          throw new IllegalArgumentException("tier " + t.name() + " was already added");
        }
      }
      if (!tiers.isEmpty() && tiers.get(tiers.size() - 1).minPoints() >= minPoints) {
        throw new IllegalArgumentException("tier " + t.name() + " must need more points than tier "
            + tiers.get(tiers.size() - 1).name() + " (" + tiers.get(tiers.size() - 1).minPoints()
            + "); add tiers in ascending order");
      }
      tiers.add(t);
      return this;
    }

    /**
     * The program.
     *
     * @throws IllegalArgumentException when the name does not match {@link #NAME}
     */
    public LoyaltyProgram build() {
      return new LoyaltyProgram(name, validityDays == null ? 0 : validityDays, tiers,
          tierPeriodDays == null ? 0 : tierPeriodDays);
    }
  }
}
