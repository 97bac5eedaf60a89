package io.cdpkit.segmentation.internal;

import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.Regex;
import io.cdpkit.core.traits.Values;
import io.cdpkit.segmentation.Explanation;
import io.cdpkit.segmentation.definition.CountOperator;
import io.cdpkit.segmentation.definition.Literal;
import io.cdpkit.segmentation.definition.Operand;
import io.cdpkit.segmentation.definition.RelativeDate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled condition: {@link #test} for batch evaluation, {@link #timed} for real time (the
 * value and when it can next change), {@link #explain} for people. Immutable and thread-safe;
 * every per-profile value lives in the {@link EvalContext}.
 */
abstract class Node {
  final String pointer;
  final String text;

  Node(String pointer, String text) {
    this.pointer = pointer;
    this.text = text;
  }

  abstract boolean test(EvalContext c);

  abstract Timed timed(EvalContext c);

  abstract Explanation explain(EvalContext c);

  // ------------------------------------------------------------------ and, or, not

  static final class And extends Node {
    final Node[] children;

    And(String pointer, List<Node> children) {
      super(pointer, "and");
      this.children = children.toArray(new Node[0]);
    }

    @Override
    boolean test(EvalContext c) {
      for (Node n : children) {
        if (!n.test(c)) {
          return false;
        }
      }
      return true;
    }

    @Override
    Timed timed(EvalContext c) {
      // True: changes when any child does. False: only when every false child has changed.
      Instant anyNext = null;
      Instant falseNext = null;
      boolean value = true;
      boolean falseStuck = false;
      for (Node n : children) {
        Timed t = n.timed(c);
        anyNext = Timed.min(anyNext, t.next());
        if (!t.value()) {
          value = false;
          if (t.next() == null) {
            falseStuck = true;
          } else if (falseNext == null || t.next().isAfter(falseNext)) {
            falseNext = t.next();
          }
        }
      }
      if (value) {
        return Timed.of(true, anyNext);
      }
      return Timed.of(false, falseStuck ? null : falseNext);
    }

    @Override
    Explanation explain(EvalContext c) {
      List<Explanation> kids = new ArrayList<>();
      boolean held = true;
      for (Node n : children) {
        Explanation e = n.explain(c);
        held &= e.held();
        kids.add(e);
      }
      return new Explanation(pointer, text, held, null, kids);
    }
  }

  static final class Or extends Node {
    final Node[] children;

    Or(String pointer, List<Node> children) {
      super(pointer, "or");
      this.children = children.toArray(new Node[0]);
    }

    @Override
    boolean test(EvalContext c) {
      for (Node n : children) {
        if (n.test(c)) {
          return true;
        }
      }
      return false;
    }

    @Override
    Timed timed(EvalContext c) {
      Instant anyNext = null;
      Instant trueNext = null;
      boolean value = false;
      boolean trueStuck = false;
      for (Node n : children) {
        Timed t = n.timed(c);
        anyNext = Timed.min(anyNext, t.next());
        if (t.value()) {
          value = true;
          if (t.next() == null) {
            trueStuck = true;
          } else if (trueNext == null || t.next().isAfter(trueNext)) {
            trueNext = t.next();
          }
        }
      }
      if (!value) {
        return Timed.of(false, anyNext);
      }
      return Timed.of(true, trueStuck ? null : trueNext);
    }

    @Override
    Explanation explain(EvalContext c) {
      List<Explanation> kids = new ArrayList<>();
      boolean held = false;
      for (Node n : children) {
        Explanation e = n.explain(c);
        held |= e.held();
        kids.add(e);
      }
      return new Explanation(pointer, text, held, null, kids);
    }
  }

  static final class Not extends Node {
    final Node child;

    Not(String pointer, Node child) {
      super(pointer, "not");
      this.child = child;
    }

    @Override
    boolean test(EvalContext c) {
      return !child.test(c);
    }

    @Override
    Timed timed(EvalContext c) {
      Timed t = child.timed(c);
      return Timed.of(!t.value(), t.next());
    }

    @Override
    Explanation explain(EvalContext c) {
      Explanation e = child.explain(c);
      return new Explanation(pointer, text, !e.held(), null, List.of(e));
    }
  }

  // ------------------------------------------------------------------ comparisons

  /** Where a comparison's values come from. */
  interface Source {
    /** The values, nulls left out; empty when missing. */
    List<Object> values(EvalContext c);

    /** When the values can next change with time alone. */
    default @Nullable Instant next(EvalContext c) {
      return null;
    }
  }

  static final class Compare extends Node {
    final Source source;
    final Operator operator;
    final List<Operand> operands;
    /** Per operand: its relative date parsed once, or null for a literal. */
    final RelativeDates.@Nullable Compiled[] relative;
    /** The operands when none is relative; else null. */
    final @Nullable List<Object> fixed;
    final @Nullable Regex pattern;

    Compare(String pointer, String text, Source source, Operator operator,
        List<Operand> operands) {
      super(pointer, text);
      this.source = source;
      this.operator = operator;
      this.operands = List.copyOf(operands);
      boolean relative = false;
      List<Object> f = new ArrayList<>();
      this.relative = new RelativeDates.Compiled[operands.size()];
      for (int i = 0; i < operands.size(); i++) {
        Operand o = operands.get(i);
        if (o instanceof Literal l) {
          f.add(l.value());
        } else {
          relative = true;
          this.relative[i] = RelativeDates.Compiled.of((RelativeDate) o);
        }
      }
      this.fixed = relative ? null : List.copyOf(f);
      this.pattern = relative ? null : operator.compile(f);
    }

    private List<Object> operands(Instant now) {
      return fixed != null ? fixed : resolve(now);
    }

    private List<Object> resolve(Instant now) {
      List<Object> out = new ArrayList<>(operands.size());
      for (int i = 0; i < relative.length; i++) {
        out.add(relative[i] == null ? ((Literal) operands.get(i)).value()
            : relative[i].resolve(now));
      }
      return out;
    }

    @Override
    boolean test(EvalContext c) {
      return operator.test(source.values(c), operands(c.now), pattern);
    }

    @Override
    Timed timed(EvalContext c) {
      List<Object> values = source.values(c);
      boolean v = operator.test(values, operands(c.now), pattern);
      Instant next = source.next(c);
      if (fixed == null) {
        for (RelativeDates.Compiled r : relative) {
          if (r != null) {
            for (Object x : values) {
              Instant xi = Values.instant(x);
              if (xi != null) {
                next = Timed.min(next, RelativeDates.nextCrossing(r, xi, c.now));
              }
            }
          }
        }
      }
      return Timed.of(v, next);
    }

    @Override
    Explanation explain(EvalContext c) {
      List<Object> values = source.values(c);
      String seen = values.isEmpty() ? "nothing" : values.size() == 1
          ? String.valueOf(values.get(0)) : values.toString();
      String shown = text + (fixed == null ? " (now " + operands(c.now) + ")" : "");
      return new Explanation(pointer, shown, test(c), seen, List.of());
    }
  }

  // ------------------------------------------------------------------ presence

  static final class HasIdentifier extends Node {
    final IdentifierType type;

    HasIdentifier(String pointer, IdentifierType type) {
      super(pointer, "has identifier " + type.id());
      this.type = type;
    }

    @Override
    boolean test(EvalContext c) {
      Integer n = c.record.identifierCounts().get(type);
      return n != null && n > 0;
    }

    @Override
    Timed timed(EvalContext c) {
      return test(c) ? Timed.TRUE : Timed.FALSE;
    }

    @Override
    Explanation explain(EvalContext c) {
      Integer n = c.record.identifierCounts().get(type);
      return new Explanation(pointer, text, test(c), (n == null ? 0 : n) + " of that type",
          List.of());
    }
  }

  static final class Consent extends Node {
    final ConsentKey key;

    Consent(String pointer, ConsentKey key) {
      super(pointer, "consent granted for " + key.purpose() + " on " + key.channel());
      this.key = key;
    }

    @Override
    boolean test(EvalContext c) {
      ProfileState.ConsentValue v = c.state.consents().get(key);
      return v != null && v.statusAt(c.now) == ConsentStatus.GRANTED;
    }

    @Override
    Timed timed(EvalContext c) {
      // A grant with an expiry holds until then: the profile leaves on time.
      ProfileState.ConsentValue v = c.state.consents().get(key);
      boolean held = v != null && v.statusAt(c.now) == ConsentStatus.GRANTED;
      return Timed.of(held, held ? v.expiresAt() : null);
    }

    @Override
    Explanation explain(EvalContext c) {
      ProfileState.ConsentValue v = c.state.consents().get(key);
      String seen = v == null ? "never recorded"
          : !v.granted() ? "denied at " + v.time()
          : v.statusAt(c.now) == ConsentStatus.EXPIRED ? "granted at " + v.time()
              + ", expired at " + v.expiresAt()
          : "granted at " + v.time() + (v.expiresAt() == null ? "" : ", expires at "
              + v.expiresAt());
      return new Explanation(pointer, text, test(c), seen, List.of());
    }
  }

  static final class InSegment extends Node {
    final String segment;

    InSegment(String pointer, String segment) {
      super(pointer, "member of " + segment);
      this.segment = segment;
    }

    @Override
    boolean test(EvalContext c) {
      Timed t = c.segments.get(segment);
      return t != null && t.value();
    }

    @Override
    Timed timed(EvalContext c) {
      Timed t = c.segments.get(segment);
      return t == null ? Timed.FALSE : t;
    }

    @Override
    Explanation explain(EvalContext c) {
      return new Explanation(pointer, text, test(c), test(c) ? "member" : "not a member",
          List.of());
    }
  }

  // ------------------------------------------------------------------ events

  /** At least / at most / exactly n events, counted by a daily aggregate. */
  static final class EventCount extends Node {
    final ComputedTrait counter;
    final CountOperator op;
    final long n;
    final int lastDays;
    final @Nullable LocalDate from;
    final @Nullable LocalDate to;
    final long fromDay;
    final long toDay;

    EventCount(String pointer, String text, ComputedTrait counter, CountOperator op, long n,
        int lastDays, @Nullable LocalDate from, @Nullable LocalDate to) {
      super(pointer, text);
      this.counter = counter;
      this.op = op;
      this.n = n;
      this.lastDays = lastDays;
      this.from = from;
      this.to = to;
      this.fromDay = from == null ? 0 : from.toEpochDay();
      this.toDay = to == null ? 0 : to.toEpochDay();
    }

    long count(EvalContext c) {
      var s = c.state.computed().get(counter.name());
      if (s == null) {
        return 0;
      }
      return from != null ? s.countBetween(fromDay, toDay)
          : s.countBetween(c.today - lastDays + 1, Long.MAX_VALUE);
    }

    @Override
    boolean test(EvalContext c) {
      return op.test(count(c), n);
    }

    @Override
    Timed timed(EvalContext c) {
      boolean v = test(c);
      if (from != null) {
        return Timed.of(v, null);
      }
      var s = c.state.computed().get(counter.name());
      return Timed.of(v, s == null ? null : s.nextChange(lastDays, c.now));
    }

    @Override
    Explanation explain(EvalContext c) {
      return new Explanation(pointer, text, test(c), count(c) + " events", List.of());
    }
  }

  /** The latest X is at least {@code wait} old, within the days, and no Y at or after it. */
  static final class NotFollowedBy extends Node {
    final ComputedTrait lastX;
    final ComputedTrait lastY;
    final Duration wait;
    final @Nullable Integer withinDays;

    NotFollowedBy(String pointer, String text, ComputedTrait lastX, ComputedTrait lastY,
        Duration wait, @Nullable Integer withinDays) {
      super(pointer, text);
      this.lastX = lastX;
      this.lastY = lastY;
      this.wait = wait;
      this.withinDays = withinDays;
    }

    private @Nullable Instant time(EvalContext c, ComputedTrait t) {
      return (Instant) t.value(c.state.computed().get(t.name()), c.now).orElse(null);
    }

    @Override
    boolean test(EvalContext c) {
      return timed(c).value();
    }

    @Override
    Timed timed(EvalContext c) {
      Instant x = time(c, lastX);
      if (x == null) {
        return Timed.FALSE;
      }
      Instant y = time(c, lastY);
      if (y != null && !y.isBefore(x)) {
        return Timed.FALSE; // followed: stays so until a new X, which is a profile change
      }
      Instant leaves = null;
      if (withinDays != null) {
        long day = LocalDate.ofInstant(x, ZoneOffset.UTC).toEpochDay();
        if (day < c.today - withinDays + 1) {
          return Timed.FALSE;
        }
        leaves = LocalDate.ofEpochDay(day + withinDays).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      Instant due = x.plus(wait);
      if (c.now.isBefore(due)) {
        return Timed.of(false, leaves != null && !leaves.isAfter(due) ? null : due);
      }
      return Timed.of(true, leaves);
    }

    @Override
    Explanation explain(EvalContext c) {
      Instant x = time(c, lastX);
      Instant y = time(c, lastY);
      return new Explanation(pointer, text, test(c),
          "last " + lastX.filter().names() + " at " + x + ", last " + lastY.filter().names()
              + " at " + y, List.of());
    }
  }
}
