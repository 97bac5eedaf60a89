package io.cdpkit.examples.cli;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Mapping} over rows: skips, checks, groups and builds events, counting every row
 * by what became of it.
 *
 * <p>Without {@code group} each row gives its events at once ({@link #accept} returns them).
 * With {@code group} rows are held until {@link #finish()}, which orders the groups (by
 * {@code order}, ties in the order their first rows came) and builds each group's events in
 * the mapping's order; an event with {@code once} is built only for the first row or group,
 * in that order, with its key. A group with a bad row gives no event at all (nothing is
 * stored half): its other rows are counted as rows of rejected groups.
 *
 * <p>Not thread-safe.
 */
final class Conversion {
  /** An event with the line of the row (or a group's first row) it came from. */
  record Built(Event event, long line) {}

  private static final Object UNSET = new Object();

  private final Mapping mapping;
  private final BadRowSink sink;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final List<Set<String>> onceSeen = new ArrayList<>();
  private final List<Map<String, String>> pools = new ArrayList<>();

  long rows;
  long badRows;
  long groupsRejected;
  long rowsInRejectedGroups;
  final Map<String, Long> skipped = new LinkedHashMap<>();
  final Map<String, Long> badByReason = new TreeMap<>();
  final Map<String, Long> eventsByName = new TreeMap<>();

  /** Told each bad row (line, column, reason), in the order they are found. */
  @FunctionalInterface
  interface BadRowSink {
    void bad(BadRow row);
  }

  Conversion(Mapping mapping, BadRowSink sink) {
    this.mapping = mapping;
    this.sink = sink;
    for (int i = 0; i < mapping.events.size(); i++) {
      onceSeen.add(new HashSet<>());
    }
    for (int i = 0; i < mapping.values.size(); i++) {
      pools.add(new HashMap<>());
    }
  }

  /** A record the source could not read. */
  void unreadable(BadRow bad) {
    rows++;
    bad(bad);
  }

  /**
   * Takes one row: the events it gives now (always none with {@code group}).
   *
   * @throws BadRow never: bad rows go to the sink and are counted
   */
  List<Built> accept(Row row) {
    rows++;
    RowCtx ctx = new RowCtx(row);
    try {
      for (Mapping.Skip s : mapping.skips) {
        if (Expr.truth(s.when(), ctx)) {
          skipped.merge(s.reason(), 1L, Long::sum);
          return List.of();
        }
      }
      ctx.force(mapping.group != null ? pools : null);
      for (Mapping.Check c : mapping.checks) {
        if ((c.when() == null || Expr.truth(c.when(), ctx)) && !Expr.truth(c.require(), ctx)) {
          throw new BadRow(row.line(), c.column(), c.reason());
        }
      }
    } catch (BadRow bad) {
      bad(bad);
      if (mapping.group != null) {
        markGroupBad(ctx);
      }
      return List.of();
    }
    if (mapping.group == null) {
      try {
        return build(ctx);
      } catch (BadRow bad) {
        bad(bad);
        return List.of();
      }
    }
    String key;
    try {
      key = Expr.text(needKey(ctx));
    } catch (BadRow bad) {
      bad(bad);
      return List.of();
    }
    Group g = groups.computeIfAbsent(key, k -> new Group(groups.size()));
    try {
      if (!g.rows.isEmpty()) {
        RowCtx first = g.rows.get(0);
        for (Mapping.ValueDef v : mapping.group.same()) {
          Object a = first.value(v.index());
          Object b = ctx.value(v.index());
          if (a == null ? b != null : !a.equals(b)) {
            throw new BadRow(row.line(), v.column(), "differs from the group's earlier rows");
          }
        }
      }
    } catch (BadRow bad) {
      bad(bad);
      g.bad++;
      return List.of();
    } finally {
      ctx.row = null;
    }
    g.rows.add(ctx);
    return List.of();
  }

  /** The events of the groups, in order; empty without {@code group}. */
  List<Built> finish() {
    if (mapping.group == null) {
      return List.of();
    }
    List<Group> good = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      if (g.bad > 0) {
        groupsRejected++;
        rowsInRejectedGroups += g.rows.size();
        continue;
      }
      if (mapping.group.order() != null) {
        try {
          g.order = mapping.group.order().eval(g);
        } catch (BadRow bad) {
          bad(bad);
          groupsRejected++;
          rowsInRejectedGroups += g.rows.size() - 1;
          continue;
        }
      }
      good.add(g);
    }
    groups.clear();
    if (mapping.group.order() != null) {
      Expr.Ctx none = new RowCtx(null);
      good.sort((a, b) -> {
        if (a.order == null || b.order == null) {
          return a.order == b.order ? Long.compare(a.seq, b.seq) : a.order == null ? 1 : -1;
        }
        int c = Expr.compare(a.order, b.order, none);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
      });
    }
    List<Built> out = new ArrayList<>(good.size() * 5 / 4);
    for (Group g : good) {
      try {
        out.addAll(build(g));
      } catch (BadRow bad) {
        bad(bad);
        groupsRejected++;
        rowsInRejectedGroups += g.rows.size() - 1;
      }
    }
    return out;
  }

  private Object needKey(RowCtx ctx) {
    Object key = mapping.group.by().eval(ctx);
    if (key == null || Expr.text(key).isEmpty()) {
      throw new BadRow(ctx.line(), mapping.group.by().column(), "is empty (the group key)");
    }
    return key;
  }

  private void markGroupBad(RowCtx ctx) {
    Object key;
    try {
      key = mapping.group.by().eval(ctx);
    } catch (BadRow unknown) {
      return; // the key itself is bad: the row is counted, no group to reject
    }
    if (key != null) {
      groups.computeIfAbsent(Expr.text(key), k -> new Group(groups.size())).bad++;
    }
  }

  /** Builds a row's or group's events; all or none of them. */
  private List<Built> build(Expr.Ctx ctx) {
    List<Built> out = new ArrayList<>(mapping.events.size());
    List<String> onceKeys = new ArrayList<>(mapping.events.size());
    for (Mapping.EventDef def : mapping.events) {
      if (def.when() != null && !Expr.truth(def.when(), ctx)) {
        onceKeys.add(null);
        continue;
      }
      String once = null;
      if (def.once() != null) {
        Object k = def.once().eval(ctx);
        if (k == null) {
          throw new BadRow(ctx.line(), def.once().column(), "is empty (the once key)");
        }
        once = Expr.text(k);
        if (onceSeen.get(def.index()).contains(once)) {
          onceKeys.add(null);
          continue;
        }
      }
      onceKeys.add(once);
      out.add(new Built(def.build(ctx), ctx.line()));
    }
    for (int i = 0; i < onceKeys.size(); i++) {
      if (onceKeys.get(i) != null) {
        onceSeen.get(i).add(onceKeys.get(i));
      }
    }
    for (Built b : out) {
      Event e = b.event();
      eventsByName.merge(e.type() == EventType.TRACK ? e.name()
          : e.type().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
    }
    return out;
  }

  private void bad(BadRow bad) {
    badRows++;
    badByReason.merge(bad.column() + " " + bad.reason(), 1L, Long::sum);
    sink.bad(bad);
  }

  /** A row's values, computed when first needed. */
  private final class RowCtx implements Expr.Ctx {
    @Nullable Row row;
    final long line;
    final Object[] memo;

    RowCtx(@Nullable Row row) {
      this.row = row;
      this.line = row == null ? 0 : row.line();
      this.memo = new Object[mapping.values.size()];
      Arrays.fill(memo, UNSET);
    }

    @Override
    public @Nullable Object value(int index) {
      Object v = memo[index];
      if (v == UNSET) {
        if (row == null) {
          throw new IllegalStateException("the row was released");
        }
        Mapping.ValueDef def = mapping.values.get(index);
        v = def.parse(row.get(def.column()), line);
        memo[index] = v;
      }
      return v;
    }

    /** Computes every value (in their order, so the first bad one is reported). */
    void force(@Nullable List<Map<String, String>> pool) {
      for (int i = 0; i < memo.length; i++) {
        Object v = value(i);
        if (pool != null && v instanceof String s) {
          memo[i] = pool.get(i).computeIfAbsent(s, x -> x);
        }
      }
    }

    @Override
    public List<? extends Expr.Ctx> rows() {
      return Expr.self(this);
    }

    @Override
    public long line() {
      return line;
    }
  }

  /** The rows of one group key, in file order. */
  private static final class Group implements Expr.Ctx {
    final long seq;
    final List<RowCtx> rows = new ArrayList<>(4);
    int bad;
    @Nullable Object order;

    Group(long seq) {
      this.seq = seq;
    }

    @Override
    public @Nullable Object value(int index) {
      return rows.get(0).value(index);
    }

    @Override
    public List<? extends Expr.Ctx> rows() {
      return rows;
    }

    @Override
    public long line() {
      return rows.get(0).line();
    }
  }
}
