package io.cdpkit.segmentation.definition;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.core.traits.Values;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.internal.Rules;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a definition against the workspace it is saved in, the checks its records cannot make
 * on their own:
 *
 * <ul>
 *   <li>the tree stays within {@link DefinitionLimits#MAX_DEPTH} levels (reported at the first
 *       condition too deep, which is not looked into) and {@link DefinitionLimits#MAX_CONDITIONS}
 *       conditions (reported at {@code /condition});
 *   <li>every computed trait is declared (at the condition's {@code /name});
 *   <li>every property path of an event filter that reads the product catalog
 *       ({@code products[].$catalog.brand}) reads a field a product can have, as one value (at
 *       the property condition's {@code /path});
 *   <li>every referenced segment exists, is not the definition itself, and does not lead back to
 *       it through other segments (at the reference's {@code /segment}; the message gives the
 *       cycle, {@code a -> b -> c -> a}). Saved segments are taken from the context, except the
 *       one with this definition's id, which this definition replaces.
 * </ul>
 *
 * <p>Pointers are those of the definition's canonical JSON ({@link SegmentJson#write}), whether
 * the tree was read from JSON or built in Java.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentValidator {
  private SegmentValidator() {}

  /**
   * Checks the definition.
   *
   * @throws DefinitionValidationException listing every violation found
   */
  public static void validate(SegmentDefinition definition, ValidationContext context) {
    List<Violation> violations = violations(definition, context);
    if (!violations.isEmpty()) {
      throw new DefinitionValidationException(violations);
    }
  }

  /** The violations {@link #validate} would report, in document order; empty when none. */
  public static List<Violation> violations(SegmentDefinition definition,
      ValidationContext context) {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(context, "context");
    Walk w = new Walk(definition, context);
    w.visit(definition.condition(), "/condition", 1);
    if (w.nodes > DefinitionLimits.MAX_CONDITIONS) {
      w.out.add(0, new Violation("/condition", Rules.tooMany(w.nodes)));
    }
    return List.copyOf(w.out);
  }

  private static final class Walk {
    final SegmentDefinition definition;
    final ValidationContext context;
    final List<Violation> out = new ArrayList<>();
    int nodes;

    Walk(SegmentDefinition definition, ValidationContext context) {
      this.definition = definition;
      this.context = context;
    }

    void visit(Condition c, String p, int depth) {
      nodes++;
      if (depth > DefinitionLimits.MAX_DEPTH) {
        out.add(new Violation(p, Rules.tooDeep()));
        return;
      }
      if (c instanceof And a) {
        children(a.conditions(), p, depth);
      } else if (c instanceof Or o) {
        children(o.conditions(), p, depth);
      } else if (c instanceof Not n) {
        visit(n.condition(), p + "/condition", depth + 1);
      } else if (c instanceof ComputedCondition cc) {
        if (!context.computedTraitExists(cc.name())) {
          out.add(new Violation(p + "/name",
              "computed trait " + Rules.quote(cc.name()) + " is not declared"));
        }
      } else if (c instanceof SegmentCondition s) {
        reference(s.segment(), p + "/segment");
      } else if (c instanceof ProfileCondition pc) {
        fieldTypes(pc, p);
      } else if (c instanceof EventCondition ec) {
        where(ec.filter().conditions(), p + "/where");
      } else if (c instanceof NotFollowedByCondition nf) {
        where(nf.event().conditions(), p + "/event/where");
        where(nf.followedBy().conditions(), p + "/followedBy/where");
      }
    }

    /** Paths through {@code $catalog} that could never match (see {@link Rules#catalogPath}). */
    void where(List<PropertyCondition> conditions, String p) {
      for (int i = 0; i < conditions.size(); i++) {
        PropertyCondition pc = conditions.get(i);
        String at = p + "/" + i;
        String why = Rules.catalogPath(pc.path(), pc.isAny());
        if (why != null) {
          out.add(new Violation(at + "/path", why));
        }
        where(pc.elementConditions(), at + "/any");
      }
    }

    /** Operators and operand types that suit a profile field. */
    void fieldTypes(ProfileCondition c, String p) {
      String field = c.field().jsonName();
      Operator op = c.operator();
      if (op == Operator.EXISTS || op == Operator.MISSING) {
        return;
      }
      boolean list = c.field() == ProfileField.CHANNELS_SEEN
          || c.field() == ProfileField.STORES_SEEN;
      boolean text = list || c.field() == ProfileField.FAVOURITE_STORE
          || c.field() == ProfileField.FAVOURITE_CHANNEL;
      boolean number = c.field() == ProfileField.ORDER_COUNT
          || c.field() == ProfileField.TOTAL_SPEND
          || c.field() == ProfileField.AVERAGE_ORDER_VALUE;
      if (list && op != Operator.CONTAINS) {
        out.add(new Violation(p + "/op", field + " is a list: use contains, exists or missing"));
        return;
      }
      if (!text && (op == Operator.CONTAINS || op == Operator.STARTS_WITH
          || op == Operator.REGEX)) {
        out.add(new Violation(p + "/op", field + " is a " + (number ? "number" : "time")
            + ": " + op.symbol() + " compares text"));
        return;
      }
      List<Operand> ops = c.operands();
      for (int i = 0; i < ops.size(); i++) {
        String at = p + (op.arity() == 1 ? "/value" : "/values/" + i);
        Operand o = ops.get(i);
        Object v = o instanceof Literal l ? l.value() : null;
        if (text && !(v instanceof String)) {
          out.add(new Violation(at, field + " takes text"));
        } else if (number && Values.number(v) == null) {
          out.add(new Violation(at, field + " takes a number"));
        } else if (!text && !number && o instanceof Literal && Values.instant(v) == null) {
          out.add(new Violation(at, field + " takes a time: an ISO date or instant, or a date "
              + "relative to now"));
        }
      }
    }

    void children(List<Condition> cs, String p, int depth) {
      for (int i = 0; i < cs.size(); i++) {
        visit(cs.get(i), p + "/conditions/" + i, depth + 1);
      }
    }

    void reference(String ref, String p) {
      String self = definition.id();
      if (ref.equals(self)) {
        out.add(new Violation(p, "segment " + self + " refers to itself: " + self + " -> "
            + self));
        return;
      }
      if (context.segment(ref).isEmpty()) {
        out.add(new Violation(p, "segment " + ref + " does not exist"));
        return;
      }
      List<String> path = pathBack(ref, new HashSet<>());
      if (path != null) {
        out.add(new Violation(p, "closes a cycle of segments: " + self + " -> "
            + String.join(" -> ", path)));
      }
    }

    /** The ids from {@code from} to this definition, following references; null when none. */
    @Nullable List<String> pathBack(String from, Set<String> visited) {
      if (from.equals(definition.id())) {
        return new ArrayList<>(List.of(from));
      }
      if (!visited.add(from)) {
        return null;
      }
      Optional<SegmentDefinition> d = context.segment(from);
      if (d.isEmpty()) {
        return null;
      }
      for (String next : references(d.get().condition())) {
        List<String> rest = pathBack(next, visited);
        if (rest != null) {
          rest.add(0, from);
          return rest;
        }
      }
      return null;
    }
  }

  /** The segment ids a tree refers to, in document order, each once. */
  static List<String> references(Condition root) {
    List<String> refs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Deque<Condition> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Condition c = stack.pop();
      if (c instanceof And a) {
        pushAll(stack, a.conditions());
      } else if (c instanceof Or o) {
        pushAll(stack, o.conditions());
      } else if (c instanceof Not n) {
        stack.push(n.condition());
      } else if (c instanceof SegmentCondition s && seen.add(s.segment())) {
        refs.add(s.segment());
      }
    }
    return refs;
  }

  private static void pushAll(Deque<Condition> stack, List<Condition> cs) {
    for (int i = cs.size() - 1; i >= 0; i--) {
      stack.push(cs.get(i));
    }
  }
}
