package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.segmentation.SegmentSnapshot;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batch evaluation of the 20 segments of {@link RetailSegments#BATCH} over every profile of an
 * in-memory store ({@link Segments#evaluate}: a scan of all profiles into one bitmap per
 * segment), against the same 20 questions asked of DuckDB (in process, in memory) over the same
 * data loaded as tables. One operation is a full evaluation of all 20; the score is its time.
 *
 * <p>{@code engine}: {@code cdpkit}; {@code duckdb} (its default, one thread per core);
 * {@code duckdb-1thread} ({@code SET threads = 1}, as CDPKit's evaluation runs on one thread).
 *
 * <h2>The data</h2>
 * {@link CustomerHistories} (fixed seed): {@code profiles} customers, about 6 events each (1% of
 * them heavy), over the 400 days before {@code now = 2026-03-15T12:00:00Z}, which is the
 * {@code Cdp}'s clock and the instant the SQL uses. In the {@code cdpkit} trial the 20 segments
 * are saved first (saving them after the load, which recomputes every profile, was slower), then
 * the events are ingested in batches of {@value #BATCH}, the segments live; DuckDB gets the
 * same events through its {@link DuckDBAppender} as rows of {@code events} (profile, name, time,
 * channel, store, category, size, price, total), {@code items} (one row per product of an
 * order) and {@code profiles} (the fields a warehouse keeps per profile: e-mail known, latest
 * consents, traits, order count, spend, first and last order). Load times are printed and not
 * measured.
 *
 * <h2>Correctness</h2>
 * The {@code cdpkit} trial also loads DuckDB and, before measuring, compares every segment's
 * member count from CDPKit with the count DuckDB's query gives; the run fails when any differs,
 * printing the profiles on either side only. It prints the heap retained per profile (heap
 * used after collections, less the heap before the {@code Cdp} was built, divided by the
 * profiles).
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -jar cdp-benchmarks/target/benchmarks.jar BatchSegmentBenchmark -f 1 -wi 2 -i 5
 * java -jar cdp-benchmarks/target/benchmarks.jar BatchSegmentBenchmark -p profiles=100000
 * </pre>
 *
 * <p>A JMH state, driven by one thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms20g", "-Xmx20g"})
@State(Scope.Benchmark)
public class BatchSegmentBenchmark {
  /** Events per ingest call while loading. */
  static final int BATCH = 1_000;
  static final Instant NOW = Instant.parse("2026-03-15T12:00:00Z");
  static final long SEED = 0x5E6_BA7CL;

  /** Customers (profiles) generated. */
  @Param({"1000000"})
  public int profiles = 1_000_000;

  /** Who answers: {@code cdpkit}, {@code duckdb} or {@code duckdb-1thread}. */
  @Param({"cdpkit", "duckdb", "duckdb-1thread"})
  public String engine = "cdpkit";

  private @Nullable Cdp cdp;
  private @Nullable Segments segments;
  private @Nullable Connection duck;
  private Map<String, String> sql = Map.of();

  @Setup(Level.Trial)
  public void load() throws SQLException {
    if (!List.of("cdpkit", "duckdb", "duckdb-1thread").contains(engine)) {
      throw new IllegalArgumentException("engine " + engine + " is not cdpkit, duckdb or "
          + "duckdb-1thread");
    }
    sql = questions(NOW);
    boolean withCdp = engine.equals("cdpkit");
    long heap0 = 0;
    Segmentation seg = null;
    if (withCdp) {
      heap0 = heapAfterGc();
      seg = Segmentation.builder().build();
      cdp = Cdp.builder().store(Store.inMemory()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
          .extension(seg).build();
      for (SegmentDefinition d : RetailSegments.batch()) {
        seg.segments().save(d);
      }
      segments = seg.segments();
    }
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    duck = c;
    try (Statement st = c.createStatement()) {
      st.execute("SET memory_limit = '4GB'");
      if (engine.equals("duckdb-1thread")) {
        st.execute("SET threads = 1");
      }
      st.execute("CREATE TABLE profiles (pid INTEGER, has_email BOOLEAN, consent_email BOOLEAN,"
          + " consent_sms BOOLEAN, loyalty_tier VARCHAR, country VARCHAR, birth_year BIGINT,"
          + " order_count INTEGER, spend_cents BIGINT, customer_since TIMESTAMP,"
          + " last_order_at TIMESTAMP)");
      st.execute("CREATE TABLE events (pid INTEGER, eid BIGINT, name VARCHAR, ts TIMESTAMP,"
          + " channel VARCHAR, store VARCHAR, category VARCHAR, size VARCHAR,"
          + " price_cents BIGINT, total_cents BIGINT, items INTEGER)");
      st.execute("CREATE TABLE items (pid INTEGER, eid BIGINT, ts TIMESTAMP, channel VARCHAR,"
          + " category VARCHAR, size VARCHAR, price_cents BIGINT)");
    }
    DuckDBConnection dc = c.unwrap(DuckDBConnection.class);
    CustomerHistories gen = new CustomerHistories(SEED, NOW);
    long cdpNanos = 0;
    long duckNanos = 0;
    long genNanos = 0;
    long events = 0;
    try (DuckDBAppender pa = dc.createAppender("main", "profiles");
        DuckDBAppender ea = dc.createAppender("main", "events");
        DuckDBAppender ia = dc.createAppender("main", "items")) {
      List<Event> pending = new ArrayList<>(BATCH + 200);
      for (int i = 0; i < profiles; i++) {
        long t0 = System.nanoTime();
        CustomerHistories.Customer cu = gen.next();
        long t1 = System.nanoTime();
        append(pa, ea, ia, cu);
        long t2 = System.nanoTime();
        genNanos += t1 - t0;
        duckNanos += t2 - t1;
        events += cu.events().size();
        if (withCdp) {
          pending.addAll(cu.events());
          if (pending.size() >= BATCH || i == profiles - 1) {
            long t3 = System.nanoTime();
            BatchResult r = cdp().ingest(pending);
            cdpNanos += System.nanoTime() - t3;
            if (r.stored() != pending.size()) {
              throw new IllegalStateException("stored " + r.stored() + " of " + pending.size()
                  + " events (" + r.rejected() + " rejected, " + r.duplicates()
                  + " duplicates)");
            }
            pending.clear();
          }
        }
      }
      long t4 = System.nanoTime();
      pa.flush();
      ea.flush();
      ia.flush();
      duckNanos += System.nanoTime() - t4;
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "# %,d profiles, %,d events; generating %.1f s, DuckDB "
        + "appender %.1f s%s%n", profiles, events, genNanos / 1e9, duckNanos / 1e9,
        withCdp ? String.format(Locale.ROOT, ", CDPKit ingest with the 20 segments live %.1f s "
            + "(%,.0f events/s)", cdpNanos / 1e9, events / (cdpNanos / 1e9)) : "");
    Map<String, Long> duckCounts = duckCounts();
    if (withCdp) {
      long heap1 = heapAfterGc();
      System.out.printf(Locale.ROOT, "# heap retained by the store: %,d MB, %,.0f bytes per "
          + "profile, %,.0f per event%n", (heap1 - heap0) >> 20,
          (heap1 - heap0) / (double) profiles, (heap1 - heap0) / (double) events);
      check(duckCounts);
    } else {
      duckCounts.forEach((k, v) -> System.out.printf(Locale.ROOT, "#   %-26s %,9d%n", k, v));
    }
  }

  @TearDown(Level.Trial)
  public void close() throws SQLException {
    if (cdp != null) {
      cdp.close();
      cdp = null;
    }
    if (duck != null) {
      duck.close();
      duck = null;
    }
  }

  /** One full evaluation of the 20 segments. */
  @Benchmark
  public Object evaluate() throws SQLException {
    if (engine.equals("cdpkit")) {
      return segments().evaluate(RetailSegments.BATCH, io.cdpkit.core.ProgressListener.none());
    }
    return duckCounts();
  }

  private Map<String, Long> duckCounts() throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Statement st = duck().createStatement()) {
      for (String id : RetailSegments.BATCH) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + sql.get(id) + ")")) {
          rs.next();
          out.put(id, rs.getLong(1));
        }
      }
    }
    return out;
  }

  private void check(Map<String, Long> duckCounts) throws SQLException {
    long t0 = System.nanoTime();
    SegmentSnapshot snap = segments().evaluate(RetailSegments.BATCH, io.cdpkit.core.ProgressListener.none());
    System.out.printf(Locale.ROOT, "# first evaluation %.2f s over %,d profiles; member counts "
        + "(CDPKit, DuckDB):%n", (System.nanoTime() - t0) / 1e9, snap.profiles());
    List<String> wrong = new ArrayList<>();
    for (String id : RetailSegments.BATCH) {
      long a = snap.count(id);
      long b = duckCounts.get(id);
      System.out.printf(Locale.ROOT, "#   %-26s %,9d %,9d%s%n", id, a, b, a == b ? "" : "   DIFFER");
      if (a != b) {
        wrong.add(id);
      }
    }
    if (snap.profiles() != profiles) {
      throw new IllegalStateException("CDPKit evaluated " + snap.profiles() + " profiles, not "
          + profiles);
    }
    if (!wrong.isEmpty()) {
      for (String id : wrong) {
        explainDifference(snap, id);
      }
      throw new IllegalStateException("CDPKit and DuckDB disagree on the members of " + wrong);
    }
  }

  /** Prints up to ten customers in one engine's answer and not in the other's. */
  private void explainDifference(SegmentSnapshot snap, String id) throws SQLException {
    TreeSet<Integer> cdpPids = new TreeSet<>();
    for (ProfileId p : snap.members(id)) {
      Profile pr = cdp().profiles().get(p).orElseThrow();
      for (Identifier i : pr.identifiers(IdentifierType.CUSTOMER_ID)) {
        cdpPids.add(Integer.parseInt(i.value().substring(1)));
      }
    }
    TreeSet<Integer> duckPids = new TreeSet<>();
    try (Statement st = duck().createStatement();
        ResultSet rs = st.executeQuery(sql.get(id))) {
      while (rs.next()) {
        duckPids.add(rs.getInt(1));
      }
    }
    TreeSet<Integer> onlyCdp = new TreeSet<>(cdpPids);
    onlyCdp.removeAll(duckPids);
    TreeSet<Integer> onlyDuck = new TreeSet<>(duckPids);
    onlyDuck.removeAll(cdpPids);
    System.out.println("# " + id + ": " + onlyCdp.size() + " only in CDPKit's answer, e.g. "
        + onlyCdp.stream().limit(10).toList() + "; " + onlyDuck.size()
        + " only in DuckDB's, e.g. " + onlyDuck.stream().limit(10).toList());
    System.out.println("#   query: " + sql.get(id));
  }

  private static void append(DuckDBAppender pa, DuckDBAppender ea, DuckDBAppender ia,
      CustomerHistories.Customer cu) throws SQLException {
    CustomerHistories.ProfileRow p = cu.profile();
    pa.beginRow().append(p.pid()).append(p.hasEmail());
    bool(pa, p.consentEmail());
    bool(pa, p.consentSms());
    str(pa, p.loyaltyTier());
    str(pa, p.country());
    if (p.birthYear() == null) {
      pa.appendNull();
    } else {
      pa.append(p.birthYear().longValue());
    }
    pa.append(p.orderCount()).append(p.spendCents());
    millis(pa, p.customerSince());
    millis(pa, p.lastOrderAt());
    pa.endRow();
    for (CustomerHistories.Row r : cu.rows()) {
      ea.beginRow().append(r.pid()).append(r.eid()).append(r.name())
          .appendEpochMicros(r.epochMillis() * 1000).append(r.channel());
      str(ea, r.store());
      str(ea, r.category());
      str(ea, r.size());
      ea.append(r.priceCents()).append(r.totalCents()).append(r.items()).endRow();
    }
    for (CustomerHistories.Item i : cu.items()) {
      ia.beginRow().append(i.pid()).append(i.eid()).appendEpochMicros(i.epochMillis() * 1000)
          .append(i.channel()).append(i.category()).append(i.size()).append(i.priceCents())
          .endRow();
    }
  }

  private static void str(DuckDBAppender a, @Nullable String s) throws SQLException {
    if (s == null) {
      a.appendNull();
    } else {
      a.append(s);
    }
  }

  private static void bool(DuckDBAppender a, @Nullable Boolean b) throws SQLException {
    if (b == null) {
      a.appendNull();
    } else {
      a.append(b.booleanValue());
    }
  }

  private static void millis(DuckDBAppender a, @Nullable Long ms) throws SQLException {
    if (ms == null) {
      a.appendNull();
    } else {
      a.appendEpochMicros(ms * 1000);
    }
  }

  /**
   * The 20 questions in DuckDB's SQL, each a query of the member pids at {@code now}: CDPKit's
   * windows of "the last n days" hold the events dated (UTC) from n - 1 days before today, so
   * they start at that day's midnight; relative dates are instants.
   */
  static Map<String, String> questions(Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Map<String, String> q = new LinkedHashMap<>();
    String orders = "SELECT pid FROM events WHERE name = 'Order Completed' AND ts >= ";
    q.put("vip-spend", "SELECT pid FROM profiles WHERE spend_cents >= 100000");
    q.put("repeat-buyers", "SELECT pid FROM profiles WHERE order_count >= 3");
    q.put("new-customers-this-month", "SELECT pid FROM profiles WHERE customer_since >= "
        + ts(today.withDayOfMonth(1).atStartOfDay()));
    q.put("reachable-by-email", "SELECT pid FROM profiles WHERE has_email AND consent_email");
    q.put("gold-members", "SELECT pid FROM profiles WHERE loyalty_tier = 'gold'");
    q.put("active-7d", "SELECT DISTINCT pid FROM events WHERE name IN ('Product Viewed', "
        + "'Product Added', 'Order Completed') AND ts >= " + window(today, 7));
    q.put("browsed-jackets-30d", "SELECT pid FROM events WHERE name = 'Product Viewed' AND "
        + "category = 'jackets' AND ts >= " + window(today, 30) + " GROUP BY pid "
        + "HAVING count(*) >= 3");
    q.put("ordered-jackets-m-60d", "SELECT DISTINCT pid FROM items WHERE category = 'jackets' "
        + "AND size = 'M' AND ts >= " + window(today, 60));
    q.put("quiet-about-to-churn", "SELECT pid FROM profiles WHERE order_count >= 2 "
        + "AND pid NOT IN (" + orders + window(today, 90) + ") "
        + "AND pid IN (" + orders + window(today, 365) + ")");
    q.put("offline-only", "SELECT pid FROM events WHERE name = 'Order Completed' AND ts >= "
        + window(today, 3650) + " GROUP BY pid HAVING count(*) FILTER (WHERE channel = 'pos') "
        + ">= 1 AND count(*) FILTER (WHERE channel IN ('web', 'app')) = 0");
    q.put("online-never-in-store", "SELECT pid FROM events WHERE name = 'Order Completed' AND "
        + "ts >= " + window(today, 3650) + " GROUP BY pid HAVING count(*) FILTER (WHERE channel "
        + "IN ('web', 'app')) >= 1 AND count(*) FILTER (WHERE channel = 'pos') = 0");
    q.put("recent-buyers-30d", "SELECT pid FROM profiles WHERE last_order_at >= "
        + ts(LocalDateTime.ofInstant(now.minus(java.time.Duration.ofDays(30)), ZoneOffset.UTC)));
    q.put("lapsed-vip", "SELECT pid FROM profiles WHERE spend_cents >= 100000 "
        + "AND pid NOT IN (" + orders + window(today, 180) + ")");
    q.put("cart-abandoners-7d", "SELECT x.pid FROM (SELECT pid, max(ts) AS t FROM events "
        + "WHERE name = 'Product Added' GROUP BY pid) x LEFT JOIN (SELECT pid, max(ts) AS t "
        + "FROM events WHERE name = 'Order Completed' GROUP BY pid) y ON x.pid = y.pid "
        + "WHERE x.t >= " + window(today, 7) + " AND (y.t IS NULL OR y.t < x.t) "
        + "AND x.t + INTERVAL 24 HOUR <= " + ts(LocalDateTime.ofInstant(now, ZoneOffset.UTC)));
    q.put("pos-regulars-365d", "SELECT pid FROM events WHERE name = 'Order Completed' AND "
        + "channel = 'pos' AND ts >= " + window(today, 365) + " GROUP BY pid "
        + "HAVING count(*) >= 2");
    q.put("benelux-sms", "SELECT pid FROM profiles WHERE country IN ('NL', 'BE') "
        + "AND consent_sms");
    q.put("born-1990-2005", "SELECT pid FROM profiles WHERE birth_year BETWEEN 1990 AND 2005");
    q.put("window-shoppers", "SELECT pid FROM profiles WHERE order_count = 0 AND pid IN ("
        + "SELECT pid FROM events WHERE name = 'Product Viewed' AND ts >= " + window(today, 90)
        + " GROUP BY pid HAVING count(*) >= 5)");
    q.put("premium-browsers", "SELECT pid FROM events WHERE name = 'Product Viewed' AND "
        + "price_cents >= 15000 AND ts >= " + window(today, 30) + " GROUP BY pid "
        + "HAVING count(*) >= 2");
    q.put("vip-and-reachable", "SELECT pid FROM profiles WHERE spend_cents >= 100000 "
        + "AND has_email AND consent_email");
    if (!q.keySet().equals(new java.util.LinkedHashSet<>(RetailSegments.BATCH))) {
      throw new IllegalStateException("the questions do not match RetailSegments.BATCH");
    }
    return q;
  }

  private static String window(LocalDate today, int days) {
    return ts(today.minusDays(days - 1L).atStartOfDay());
  }

  private static String ts(LocalDateTime t) {
    return "TIMESTAMP '" + t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS",
        Locale.ROOT)) + "'";
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private Cdp cdp() {
    Cdp c = cdp;
    if (c == null) {
      throw new IllegalStateException("no Cdp in this trial");
    }
    return c;
  }

  private Segments segments() {
    Segments s = segments;
    if (s == null) {
      throw new IllegalStateException("no segments in this trial");
    }
    return s;
  }

  private Connection duck() {
    Connection c = duck;
    if (c == null) {
      throw new IllegalStateException("DuckDB is not open");
    }
    return c;
  }
}
