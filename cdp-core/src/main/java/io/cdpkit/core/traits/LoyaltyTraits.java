package io.cdpkit.core.traits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A ready set of computed traits for loyalty programs: per program, an exact points balance,
 * lifetime points, a tier and the points that lapse next, from loyalty events sent by any
 * channel (webshop, app, till), kept up to date as events arrive and as time passes.
 *
 * <pre>{@code
 * try (Cdp cdp = Cdp.builder().computedTraits(LoyaltyTraits.of(LoyaltyProgram.builder("default")
 *         .validityDays(365).tier("silver", 0).tier("gold", 1_000).build())).build()) {
 *   cdp.ingest(Event.track("Loyalty Points Earned").messageId("pos-77-1").userId("C-1001")
 *       .property("points", 120).property("order_id", "POS-77").channel("pos").build());
 *   cdp.ingest(Event.track("Loyalty Points Redeemed").messageId("w-9").userId("C-1001")
 *       .property("points", 100).property("order_id", "W-5001").channel("web").build());
 *   cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow()
 *       .computedTrait("loyalty_default_balance");   // Optional[20]
 * }
 * }</pre>
 *
 * <h2>The events</h2>
 *
 * <p>Named in the Object-Action style of Segment's specs; all are {@code track} events:
 *
 * <table>
 *   <caption>Loyalty events</caption>
 *   <tr><th>Event</th><th>{@code points}</th><th>Effect</th></tr>
 *   <tr><td>{@value #EARNED_EVENT}</td><td>0 or more</td>
 *     <td>Credits points, which count as earned (lifetime and tier points).</td></tr>
 *   <tr><td>{@value #REDEEMED_EVENT}</td><td>0 or more</td><td>Debits points.</td></tr>
 *   <tr><td>{@value #EXPIRED_EVENT}</td><td>0 or more</td>
 *     <td>Debits points, settling first points that have already lapsed here (see below), so
 *     that a program which reports its own expiries does not take them twice.</td></tr>
 *   <tr><td>{@value #ADJUSTED_EVENT}</td><td>any</td>
 *     <td>Credits (positive) or debits (negative) points; never counts as earned.</td></tr>
 * </table>
 *
 * <p>Properties: {@code points} (required), a whole number from {@code -}{@value #MAX_POINTS}
 * to {@value #MAX_POINTS} (a JSON integer, or a decimal with a zero fraction: {@code 120.0});
 * {@code program} (optional, default {@value #DEFAULT_PROGRAM}), text matching
 * {@link LoyaltyProgram#NAME} once stripped and lower-cased; {@code expires_at} (optional, read
 * only on credits: {@value #EARNED_EVENT} and positive {@value #ADJUSTED_EVENT}), an ISO-8601
 * instant as text in the years 1970 to 9999; {@code order_id} and {@code reason} are kept with
 * the event for the host and do not change the balance. A loyalty event that breaks these rules
 * is rejected at the door with an {@link io.cdpkit.core.InvalidEventException} naming the
 * property ({@code /properties/points}: "must not be negative for Loyalty Points Earned ...");
 * nothing of it is stored. (Such an event stored before this pack was declared adds nothing.)
 * Events of programs not declared in the pack are kept in the ledger, and count as soon as the
 * program is declared. The messageId is the identity of an entry: a resent event with the same
 * messageId changes nothing; two events for the same {@code order_id} under two messageIds both
 * count.
 *
 * <h2>The balance, exactly</h2>
 *
 * <p>The value at an instant {@code now} is a pure function of the set of a profile's loyalty
 * events and {@code now}, so any ingestion order, a merge or an unmerge gives what recomputing
 * gives. The events of a program dated at or before {@code now} are replayed in order of event
 * time, then messageId (so events at the same instant are ordered by messageId); events dated
 * after {@code now} (a till's clock slightly ahead) count from their time on.
 *
 * <ul>
 *   <li>A credit is a <em>lot</em> of points with an expiry: its {@code expires_at}, else its
 *       event time plus the program's {@link LoyaltyProgram#validityDays() validity} (exact
 *       24-hour days), else none. A lot lapses at its expiry instant: from then on its remaining
 *       points no longer count. A credit whose expiry is not after its own time lapses at once.
 *   <li>A debit takes points from the lots still valid at its time, the earliest-expiring first
 *       (lots without expiry last; on equal expiry, the lot credited first, then by messageId).
 *       A {@value #EXPIRED_EVENT} debit first takes from lapsed lots, earliest-expiring first,
 *       which lowers nothing further.
 *   <li>A debit larger than the points it can take (a redemption above the balance, or a
 *       debit dated before any credit) leaves the rest as a <em>debt</em>: the balance goes
 *       negative by that much. Debt never lapses; later credits pay it first, and only their
 *       rest becomes a lot. A credit that lapses at once pays no debt.
 * </ul>
 *
 * <p>So the balance is the remaining points of the valid lots minus the debt. Points are
 * {@code long}; totals are exact up to {@link Long#MAX_VALUE} (more than nine million events of
 * the largest size).
 *
 * <h2>The traits, per declared program {@code <p>}</h2>
 *
 * <table>
 *   <caption>The traits of the pack</caption>
 *   <tr><th>Name</th><th>Type</th><th>Meaning</th></tr>
 *   <tr><td>{@code loyalty_<p>_balance}</td><td>{@code Long}</td>
 *     <td>The balance above (negative with a debt).</td></tr>
 *   <tr><td>{@code loyalty_<p>_lifetime_earned}</td><td>{@code Long}</td>
 *     <td>Sum of the points of {@value #EARNED_EVENT} events.</td></tr>
 *   <tr><td>{@code loyalty_<p>_tier_points}</td><td>{@code Long}</td>
 *     <td>Sum of the points of {@value #EARNED_EVENT} events dated after {@code now} minus the
 *     program's {@link LoyaltyProgram#tierPeriodDays() tier period} (24-hour days), or of all
 *     of them without a period. Adjustments, redemptions and lapses do not lower it.</td></tr>
 *   <tr><td>{@code loyalty_<p>_tier}</td><td>{@code String}</td>
 *     <td>The name of the highest tier whose threshold the tier points reach; absent when none
 *     does. Declared only for programs with tiers.</td></tr>
 *   <tr><td>{@code loyalty_<p>_next_expiry_at}</td><td>{@code Instant}</td>
 *     <td>The earliest expiry after {@code now} of a valid lot with points left; absent when no
 *     points are due to lapse.</td></tr>
 *   <tr><td>{@code loyalty_<p>_next_expiry_points}</td><td>{@code Long}</td>
 *     <td>The points left in the lots lapsing at that instant (before any debt is netted).</td>
 *     </tr>
 *   <tr><td>{@code loyalty_<p>_next_change_at}</td><td>{@code Instant}</td>
 *     <td>The next instant after {@code now} at which any of these values changes with time
 *     alone: a lot lapsing, an earned event leaving the tier period, or an event dated in the
 *     future coming due; absent when none will.</td></tr>
 * </table>
 *
 * <p>All but {@code next_change_at} are absent for a profile without events of the program dated
 * at or before {@code now} (not a member yet). Every trait reports {@code next_change_at} as the
 * next instant it can change ({@link DerivedTrait#nextChange}), so segments reading them notice
 * lapses and tier periods as the clock moves, without new events.
 *
 * <p>The pack also declares the aggregation {@value #LEDGER} ({@link Aggregation#LEDGER}), whose
 * value is the number of loyalty events of the profile, all programs together. Declare one pack
 * per {@code Cdp}, with every program in it.
 *
 * <p>Limits: the ledger keeps one entry per loyalty event of the profile for as long as the
 * event is kept (a few dozen bytes each, in every store); adding an event to it copies the
 * profile's ledger, and each value is computed by replaying it: time and memory linear in the
 * profile's loyalty events, per event ingested and per trait read (a profile with tens of
 * thousands of loyalty events is slow to update and read). Programs per pack: at most {@value #MAX_PROGRAMS}.
 *
 * <p>Stateless. The traits it makes are immutable and thread-safe.
 */
public final class LoyaltyTraits {
  /** {@value}. */
  public static final String EARNED_EVENT = "Loyalty Points Earned";
  /** {@value}. */
  public static final String REDEEMED_EVENT = "Loyalty Points Redeemed";
  /** {@value}. */
  public static final String EXPIRED_EVENT = "Loyalty Points Expired";
  /** {@value}. */
  public static final String ADJUSTED_EVENT = "Loyalty Points Adjusted";
  /** The program of events without {@code program}: {@value}. */
  public static final String DEFAULT_PROGRAM = "default";
  /** Largest number of points one event may carry, either sign: {@value}. */
  public static final long MAX_POINTS = 1_000_000_000_000L;
  /** Most programs in one pack: {@value}. */
  public static final int MAX_PROGRAMS = 64;
  /** {@value}: the aggregation of the pack, see the class description. */
  public static final String LEDGER = "loyalty_ledger";

  private LoyaltyTraits() {}

  /**
   * The pack for these programs; with none, the program {@value #DEFAULT_PROGRAM} with
   * defaults (no validity limit, no tiers).
   *
   * @throws IllegalArgumentException when two programs share a name, or there are more than
   *     {@value #MAX_PROGRAMS}
   */
  public static ComputedTraits of(LoyaltyProgram... programs) {
    List<LoyaltyProgram> list = programs.length == 0
        ? List.of(LoyaltyProgram.of(DEFAULT_PROGRAM)) : List.of(programs);
    if (list.size() > MAX_PROGRAMS) {
      throw new IllegalArgumentException("at most " + MAX_PROGRAMS + " loyalty programs, was "
          + list.size());
    }
    Map<String, LoyaltyProgram> byName = new LinkedHashMap<>();
    for (LoyaltyProgram p : list) {
      if (byName.putIfAbsent(p.name(), p) != null) {
        throw new IllegalArgumentException("loyalty program " + p.name() + " is declared twice");
      }
    }
    ComputedTrait ledger = ComputedTrait.builder(LEDGER, Aggregation.LEDGER)
        .filter(EventFilter.named(EARNED_EVENT, REDEEMED_EVENT, EXPIRED_EVENT, ADJUSTED_EVENT))
        .build();
    List<DerivedTrait> derived = new ArrayList<>();
    for (LoyaltyProgram p : byName.values()) {
      derived.add(new Trait(balanceTrait(p.name()), p, s -> s.balance));
      derived.add(new Trait(lifetimeEarnedTrait(p.name()), p, s -> s.lifetime));
      derived.add(new Trait(tierPointsTrait(p.name()), p, s -> s.tierPoints));
      if (!p.tiers().isEmpty()) {
        derived.add(new Trait(tierTrait(p.name()), p, s -> s.tier));
      }
      derived.add(new Trait(nextExpiryAtTrait(p.name()), p, s -> s.nextExpiryAt));
      derived.add(new Trait(nextExpiryPointsTrait(p.name()), p, s -> s.nextExpiryPoints));
      derived.add(new Trait(nextChangeAtTrait(p.name()), p, s -> s.nextChange));
    }
    return ComputedTraits.of(List.of(ledger), derived);
  }

  /** {@code loyalty_<program>_balance}. */
  public static String balanceTrait(String program) {
    return "loyalty_" + program + "_balance";
  }

  /** {@code loyalty_<program>_lifetime_earned}. */
  public static String lifetimeEarnedTrait(String program) {
    return "loyalty_" + program + "_lifetime_earned";
  }

  /** {@code loyalty_<program>_tier_points}. */
  public static String tierPointsTrait(String program) {
    return "loyalty_" + program + "_tier_points";
  }

  /** {@code loyalty_<program>_tier}. */
  public static String tierTrait(String program) {
    return "loyalty_" + program + "_tier";
  }

  /** {@code loyalty_<program>_next_expiry_at}. */
  public static String nextExpiryAtTrait(String program) {
    return "loyalty_" + program + "_next_expiry_at";
  }

  /** {@code loyalty_<program>_next_expiry_points}. */
  public static String nextExpiryPointsTrait(String program) {
    return "loyalty_" + program + "_next_expiry_points";
  }

  /** {@code loyalty_<program>_next_change_at}. */
  public static String nextChangeAtTrait(String program) {
    return "loyalty_" + program + "_next_change_at";
  }

  /** A program's ledger entries from a profile state's ledger, in replay order. */
  private static List<Partial.LedgerEntry> entries(TraitContext ctx, String program) {
    AggregateState s = ctx.state().computed().get(LEDGER);
    if (s == null || !(s.total() instanceof Partial.Ledger l)) {
      return List.of();
    }
    List<Partial.LedgerEntry> out = new ArrayList<>();
    for (Partial.LedgerEntry e : l.entries()) {
      if (e.program().equals(program)) {
        out.add(e);
      }
    }
    return out;
  }

  /** One trait of a program: a field of the replayed ledger. */
  private static final class Trait implements DerivedTrait {
    private final String name;
    private final LoyaltyProgram program;
    private final Function<Snapshot, @Nullable Object> field;

    Trait(String name, LoyaltyProgram program, Function<Snapshot, @Nullable Object> field) {
      this.name = name;
      this.program = program;
      this.field = field;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Set<String> inputs() {
      return Set.of(LEDGER);
    }

    @Override
    public Optional<Object> value(TraitContext ctx) {
      Snapshot s = replay(entries(ctx, program.name()), program, ctx.now());
      return Optional.ofNullable(field.apply(s));
    }

    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      return Optional.ofNullable(replay(entries(ctx, program.name()), program, ctx.now())
          .nextChange);
    }

    @Override
    public String toString() {
      return "DerivedTrait[" + name + "]";
    }
  }

  /** The values of one program at one instant; fields are {@code null} when absent. */
  static final class Snapshot {
    @Nullable Long balance;
    @Nullable Long lifetime;
    @Nullable Long tierPoints;
    @Nullable String tier;
    @Nullable Instant nextExpiryAt;
    @Nullable Long nextExpiryPoints;
    @Nullable Instant nextChange;
  }

  /** Points credited by one event, as long as some are left. Not thread-safe. */
  private static final class Lot {
    final @Nullable Instant expiry;
    final Instant time;
    final String messageId;
    long left;

    Lot(@Nullable Instant expiry, Instant time, String messageId, long left) {
      this.expiry = expiry;
      this.time = time;
      this.messageId = messageId;
      this.left = left;
    }
  }

  /** Earliest expiry first, no expiry last; then earliest credit, then messageId. */
  private static final Comparator<Lot> SPEND_ORDER = Comparator
      .comparing((Lot l) -> l.expiry, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(l -> l.time).thenComparing(l -> l.messageId);

  /**
   * Replays a program's entries (in {@link Partial.LedgerEntry#ORDER}) up to {@code now} by the
   * rules of the class description.
   */
  static Snapshot replay(List<Partial.LedgerEntry> entries, LoyaltyProgram program,
      Instant now) {
    Objects.requireNonNull(now, "now");
    Snapshot out = new Snapshot();
    PriorityQueue<Lot> valid = new PriorityQueue<>(SPEND_ORDER);
    PriorityQueue<Lot> lapsed = new PriorityQueue<>(SPEND_ORDER);
    Duration validity = Duration.ofDays(program.validityDays());
    Duration period = Duration.ofDays(program.tierPeriodDays());
    long debt = 0;
    long lifetime = 0;
    long tierPoints = 0;
    boolean member = false;
    Instant next = null;
    for (Partial.LedgerEntry e : entries) {
      if (e.time().isAfter(now)) {
        next = earliest(next, e.time()); // the first entry still to come
        break;
      }
      member = true;
      lapse(valid, lapsed, e.time());
      long points = e.points();
      switch (e.kind()) {
        case EARNED -> {
          lifetime = Math.addExact(lifetime, points);
          if (program.tierPeriodDays() == 0) {
            tierPoints = Math.addExact(tierPoints, points);
          } else {
            Instant leaves = e.time().plus(period);
            if (leaves.isAfter(now)) {
              tierPoints = Math.addExact(tierPoints, points);
              next = earliest(next, leaves);
            }
          }
          debt = credit(e, points, validity, valid, lapsed, debt);
        }
        case ADJUSTED -> debt = points >= 0 ? credit(e, points, validity, valid, lapsed, debt)
            : debit(-points, false, valid, lapsed, debt);
        case REDEEMED -> debt = debit(points, false, valid, lapsed, debt);
        case EXPIRED -> debt = debit(points, true, valid, lapsed, debt);
        default -> throw new AssertionError(e.kind());
      }
    }
    lapse(valid, lapsed, now);
    long balance = Math.negateExact(debt);
    Instant expiry = null;
    long expiring = 0;
    for (Lot l : valid) {
      balance = Math.addExact(balance, l.left);
      if (l.expiry != null) {
        int c = expiry == null ? -1 : l.expiry.compareTo(expiry);
        if (c < 0) {
          expiry = l.expiry;
          expiring = l.left;
        } else if (c == 0) {
          expiring = Math.addExact(expiring, l.left);
        }
      }
    }
    out.nextChange = earliest(next, expiry);
    if (!member) {
      return out;
    }
    out.balance = balance;
    out.lifetime = lifetime;
    out.tierPoints = tierPoints;
    for (LoyaltyProgram.Tier t : program.tiers()) {
      if (tierPoints >= t.minPoints()) {
        out.tier = t.name();
      }
    }
    if (expiry != null) {
      out.nextExpiryAt = expiry;
      out.nextExpiryPoints = expiring;
    }
    return out;
  }

  private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  /** Moves the valid lots whose expiry is at or before {@code t} to the lapsed ones. */
  private static void lapse(PriorityQueue<Lot> valid, PriorityQueue<Lot> lapsed, Instant t) {
    while (!valid.isEmpty() && valid.peek().expiry != null && !valid.peek().expiry.isAfter(t)) {
      lapsed.add(valid.poll());
    }
  }

  /** Credits a lot; returns the debt left. */
  private static long credit(Partial.LedgerEntry e, long points, Duration validity,
      PriorityQueue<Lot> valid, PriorityQueue<Lot> lapsed, long debt) {
    if (points == 0) {
      return debt;
    }
    Instant expiry = e.expiresAt() != null ? e.expiresAt()
        : validity.isZero() ? null : e.time().plus(validity);
    if (expiry != null && !expiry.isAfter(e.time())) {
      lapsed.add(new Lot(expiry, e.time(), e.messageId(), points));
      return debt;
    }
    long pay = Math.min(debt, points);
    if (points > pay) {
      valid.add(new Lot(expiry, e.time(), e.messageId(), points - pay));
    }
    return debt - pay;
  }

  /** Debits points; returns the debt after it. */
  private static long debit(long points, boolean expired, PriorityQueue<Lot> valid,
      PriorityQueue<Lot> lapsed, long debt) {
    long rest = points;
    if (expired) {
      rest = take(lapsed, rest);
    }
    rest = take(valid, rest);
    return Math.addExact(debt, rest);
  }

  /** Takes up to {@code points} from the lots in spend order; returns what is still owed. */
  private static long take(PriorityQueue<Lot> lots, long points) {
    long rest = points;
    while (rest > 0 && !lots.isEmpty()) {
      Lot l = lots.peek();
      long t = Math.min(rest, l.left);
      l.left -= t;
      rest -= t;
      if (l.left == 0) {
        lots.poll();
      }
    }
    return rest;
  }
}
