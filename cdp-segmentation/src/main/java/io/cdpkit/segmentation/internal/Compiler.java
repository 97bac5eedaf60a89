package io.cdpkit.segmentation.internal;

import io.cdpkit.core.model.ConsentKey;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.TraitPath;
import io.cdpkit.core.traits.Window;
import io.cdpkit.segmentation.definition.And;
import io.cdpkit.segmentation.definition.ComputedCondition;
import io.cdpkit.segmentation.definition.Condition;
import io.cdpkit.segmentation.definition.ConsentCondition;
import io.cdpkit.segmentation.definition.EventCondition;
import io.cdpkit.segmentation.definition.EventWindow;
import io.cdpkit.segmentation.definition.IdentifierCondition;
import io.cdpkit.segmentation.definition.Not;
import io.cdpkit.segmentation.definition.NotFollowedByCondition;
import io.cdpkit.segmentation.definition.Operand;
import io.cdpkit.segmentation.definition.Or;
import io.cdpkit.segmentation.definition.ProfileCondition;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentCondition;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.TraitCondition;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns a segment definition into a {@link Node} tree, the aggregations its event conditions
 * need (kept by core like any computed trait, named after a hash of their filter so segments
 * asking the same share them), and what it reads ({@link Deps}). Stateless.
 */
final class Compiler {
  private Compiler() {}

  /** Days a daily event counter keeps looking back: the longest window. */
  static final int COUNTER_DAYS = Window.MAX_DAYS;

  /** A compiled segment. Immutable. */
  record Compiled(SegmentDefinition definition, Node root, Deps deps,
      Map<String, ComputedTrait> aggregates, Set<String> references) {}

  static Compiled compile(SegmentDefinition d) {
    Deps deps = new Deps();
    Map<String, ComputedTrait> aggs = new LinkedHashMap<>();
    Set<String> refs = new TreeSet<>();
    Node root = node(d.condition(), "/condition", deps, aggs, refs);
    return new Compiled(d, root, deps, aggs, refs);
  }

  private static Node node(Condition c, String ptr, Deps deps, Map<String, ComputedTrait> aggs,
      Set<String> refs) {
    if (c instanceof And a) {
      List<Node> kids = new ArrayList<>();
      for (int i = 0; i < a.conditions().size(); i++) {
        kids.add(node(a.conditions().get(i), ptr + "/conditions/" + i, deps, aggs, refs));
      }
      return new Node.And(ptr, kids);
    }
    if (c instanceof Or o) {
      List<Node> kids = new ArrayList<>();
      for (int i = 0; i < o.conditions().size(); i++) {
        kids.add(node(o.conditions().get(i), ptr + "/conditions/" + i, deps, aggs, refs));
      }
      return new Node.Or(ptr, kids);
    }
    if (c instanceof Not n) {
      return new Node.Not(ptr, node(n.condition(), ptr + "/condition", deps, aggs, refs));
    }
    if (c instanceof TraitCondition t) {
      String name = t.trait();
      TraitPath path = TraitPath.parse(name);
      deps.traits.addAll(path.reads());
      return new Node.Compare(ptr, "trait " + name + " " + ops(t.operator().symbol(),
          t.operands()), ctx -> path.values(ctx.state), t.operator(), t.operands());
    }
    if (c instanceof ComputedCondition t) {
      String name = t.name();
      deps.computed.add(name);
      deps.anything = true; // a derived trait may read anything; aggregates narrow it below
      return new Node.Compare(ptr, "computed " + name + " " + ops(t.operator().symbol(),
          t.operands()), new Node.Source() {
            @Override
            public List<Object> values(EvalContext ctx) {
              Optional<Object> v = ctx.traits.value(ctx.workspace, name, ctx.state, ctx.now);
              return v.isEmpty() ? List.of() : List.of(v.get());
            }

            @Override
            public @Nullable Instant next(EvalContext ctx) {
              return ctx.traits.nextChange(ctx.workspace, name, ctx.state, ctx.now).orElse(null);
            }
          }, t.operator(), t.operands());
    }
    if (c instanceof ProfileCondition p) {
      fieldDeps(p.field(), deps);
      return new Node.Compare(ptr, p.field().jsonName()
          + (p.currency() == null ? "" : " " + p.currency()) + " "
          + ops(p.operator().symbol(), p.operands()), field(p.field(), p.currency()),
          p.operator(), p.operands());
    }
    if (c instanceof IdentifierCondition i) {
      IdentifierType type = IdentifierType.of(i.identifierType());
      deps.identifierTypes.add(type);
      return new Node.HasIdentifier(ptr, type);
    }
    if (c instanceof ConsentCondition k) {
      ConsentKey key = new ConsentKey(k.purpose(), k.channel());
      deps.consents.add(key);
      return new Node.Consent(ptr, key);
    }
    if (c instanceof SegmentCondition s) {
      refs.add(s.segment());
      return new Node.InSegment(ptr, s.segment());
    }
    if (c instanceof EventCondition e) {
      ComputedTrait counter = counter(e.filter());
      aggs.put(counter.name(), counter);
      deps.computed.add(counter.name());
      String text = "events " + e.filter().names() + (e.filter().conditions().isEmpty() ? ""
          : " where " + e.filter().conditions()) + " " + e.count().symbol() + " " + e.n();
      if (e.window() instanceof EventWindow.LastDays l) {
        return new Node.EventCount(ptr, text + " in the last " + l.days() + " days", counter,
            e.count(), e.n(), l.days(), null, null);
      }
      EventWindow.Between b = (EventWindow.Between) e.window();
      return new Node.EventCount(ptr, text + " between " + b.from() + " and " + b.to(), counter,
          e.count(), e.n(), 0, b.from(), b.to());
    }
    if (c instanceof NotFollowedByCondition f) {
      ComputedTrait x = last(f.event());
      ComputedTrait y = last(f.followedBy());
      aggs.put(x.name(), x);
      aggs.put(y.name(), y);
      deps.computed.add(x.name());
      deps.computed.add(y.name());
      return new Node.NotFollowedBy(ptr, "events " + f.event().names() + " not followed by "
          + f.followedBy().names() + " within " + f.waitFor()
          + (f.withinDays() == null ? "" : ", in the last " + f.withinDays() + " days"),
          x, y, f.waitFor(), f.withinDays());
    }
    throw new IllegalArgumentException("unknown condition " + c.getClass().getSimpleName());
  }

  /** Narrows "anything" back to the aggregates once the tree is built (see {@link #compile}). */
  static Deps narrow(Deps deps, Set<String> derivedNames) {
    if (!deps.anything) {
      return deps;
    }
    for (String c : deps.computed) {
      if (derivedNames.contains(c)) {
        return deps;
      }
    }
    deps.anything = false;
    return deps;
  }

  private static String ops(String symbol, List<Operand> operands) {
    List<String> shown = new ArrayList<>();
    for (Operand o : operands) {
      shown.add(o instanceof io.cdpkit.segmentation.definition.Literal l
          ? (l.value() instanceof String s ? '"' + s + '"' : String.valueOf(l.value()))
          : String.valueOf(o));
    }
    return shown.isEmpty() ? symbol : symbol + " " + String.join(", ", shown);
  }

  private static void fieldDeps(ProfileField f, Deps deps) {
    switch (f) {
      case FIRST_SEEN, LAST_SEEN -> deps.seen = true;
      case ORDER_COUNT, TOTAL_SPEND, AVERAGE_ORDER_VALUE, LAST_ORDER_AT, CUSTOMER_SINCE ->
          deps.orders = true;
      case STORES_SEEN -> deps.stores = true;
      case CHANNELS_SEEN -> deps.channels = true;
      // A favourite counts the orders that count: a refund changes it without an event there.
      case FAVOURITE_STORE -> {
        deps.stores = true;
        deps.orders = true;
      }
      case FAVOURITE_CHANNEL -> {
        deps.channels = true;
        deps.orders = true;
      }
    }
  }

  private static Node.Source field(ProfileField f, @Nullable String currency) {
    String key = currency == null ? f.name() : f.name() + "/" + currency;
    return ctx -> {
      List<Object> known = ctx.fields.get(key);
      if (known == null) {
        known = fieldValue(ctx, f, currency);
        ctx.fields.put(key, known);
      }
      return known;
    };
  }

  private static List<Object> fieldValue(EvalContext ctx, ProfileField f,
      @Nullable String currency) {
    {
      Profile p = ctx.view();
      Object v = switch (f) {
        case FIRST_SEEN -> p.firstSeen().orElse(null);
        case LAST_SEEN -> p.lastSeen().orElse(null);
        case ORDER_COUNT -> p.orderCount();
        case TOTAL_SPEND -> p.totalSpend(currency).toBigDecimal();
        case AVERAGE_ORDER_VALUE -> p.averageOrderValue(currency).map(Money::toBigDecimal)
            .orElse(null);
        case LAST_ORDER_AT -> p.lastOrder().map(ProfileState.Order::time).orElse(null);
        case CUSTOMER_SINCE -> p.customerSince().orElse(null);
        case FAVOURITE_STORE -> p.favouriteStore().orElse(null);
        case FAVOURITE_CHANNEL -> p.favouriteChannel().orElse(null);
        case CHANNELS_SEEN -> List.copyOf(p.channelsSeen());
        case STORES_SEEN -> List.copyOf(p.storesSeen());
      };
      return v == null ? List.of() : List.of(v);
    }
  }

  /** The daily counter of events passing a filter. */
  static ComputedTrait counter(EventFilter filter) {
    return ComputedTrait.builder("_e" + hash(filter), Aggregation.COUNT).filter(filter)
        .window(Window.lastDays(COUNTER_DAYS)).build();
  }

  /** The time of the latest event passing a filter. */
  static ComputedTrait last(EventFilter filter) {
    return ComputedTrait.builder("_l" + hash(filter), Aggregation.LAST).filter(filter).build();
  }

  private static String hash(EventFilter f) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(
          f.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
