package io.cdpkit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several application nodes writing one workspace at once: 1, 2 and 4 JVMs (child processes on
 * this program's classpath) each ingest {@code EVENTS} events about their own customers (a
 * {@link RetailEvents#numberedFrom} stream per node, visitor ranges and seeds disjoint, so no two
 * nodes ever touch one person) into one fresh PostgreSQL scratch schema concurrently, in batches
 * of {@value #BATCH}, one ingesting thread per node. Prints the total events/s of each node count
 * (all nodes' events over the time from "go" until the last node finished) and what a sampler
 * thread saw: every {@value #SAMPLE_MS} ms it asks {@code pg_stat_activity} and {@code pg_locks}
 * for this run's backends waiting on a lock not granted, and counts the samples that saw one,
 * by lock type, relation ({@code -} for a wait on another transaction's id, which names none)
 * and waiting statement (its first word, first {@code cdp_} table and {@code FOR UPDATE}, e.g.
 * {@code transactionid - (SELECT cdp_workspaces FOR UPDATE)}).
 *
 * <p>Each node count gets a fresh schema, and rounds alternate the order of node counts (1, 2, 4
 * then 4, 2, 1) so drift in the machine's load falls on all of them; the end prints the median
 * per node count. Every child JVM first runs its events through an in-memory instance, so the
 * JIT is warm before "go"; with {@code -Dbench.storeWarmUp=W} (a multiple of {@value #BATCH}) it
 * also stores the first {@code W} events of its stream through the store before "go" and times
 * the next {@code EVENTS}, so the JDBC path's code is compiled too and the figures are those of
 * nodes that have been running, not of JVMs compiling the store's code on the same cores. The
 * nodes and the database share the machine: with fewer cores than
 * nodes, the figures mix lock waits with CPU contention, which the lock samples tell apart.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.NodesIngest 20000 3
 * </pre>
 *
 * Arguments: events per node, rounds, and optionally the node counts ({@code 1,2,4} by
 * default). The server is {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code postgres};
 * the system property {@code cdp.bench.pg} gives another URL. A program, not a library type.
 */
public final class NodesIngest {
  static final int BATCH = 100;
  static final int SAMPLE_MS = 10;
  static final int VISITORS_PER_NODE = 50_000;
  private static final Pattern TABLE = Pattern.compile("\\b(cdp_[a-z_]+)");

  private NodesIngest() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("node")) {
      node(args);
      return;
    }
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: NodesIngest EVENTS_PER_NODE ROUNDS [NODE_COUNTS, e.g. 1,2,4]");
      System.exit(2);
    }
    int events = positive("EVENTS_PER_NODE", args[0]);
    int rounds = positive("ROUNDS", args[1]);
    List<Integer> counts = new ArrayList<>();
    for (String c : (args.length == 3 ? args[2] : "1,2,4").split(",")) {
      int n = positive("NODE_COUNTS", c.trim());
      if (n > 10_000_000 / VISITORS_PER_NODE) {
        throw new IllegalArgumentException("NODE_COUNTS: at most " + 10_000_000 / VISITORS_PER_NODE
            + " nodes, was " + n);
      }
      counts.add(n);
    }
    String server = BenchStores.postgresUrl();
    int warmUp = Integer.parseInt(System.getProperty("bench.storeWarmUp", "0"));
    if (warmUp < 0 || warmUp % BATCH != 0) {
      throw new IllegalArgumentException("bench.storeWarmUp must be 0 or a positive multiple of "
          + BATCH + ", was " + warmUp);
    }
    Map<Integer, List<Double>> rates = new TreeMap<>();
    Map<Integer, List<Double>> waiting = new TreeMap<>();
    for (int r = 0; r < rounds; r++) {
      List<Integer> order = new ArrayList<>(counts);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      for (int n : order) {
        Result result = round(server, n, events, warmUp, r);
        rates.computeIfAbsent(n, k -> new ArrayList<>()).add(result.rate());
        waiting.computeIfAbsent(n, k -> new ArrayList<>()).add(result.waitingShare());
      }
    }
    System.out.printf(Locale.ROOT, "median of %d rounds, %,d events per node after %,d stored"
        + " before \"go\", batch %d:%n", rounds, events, warmUp, BATCH);
    double one = rates.containsKey(1) ? median(rates.get(1)) : Double.NaN;
    for (Map.Entry<Integer, List<Double>> e : rates.entrySet()) {
      double m = median(e.getValue());
      System.out.printf(Locale.ROOT, "  %d node(s): %,.0f events/s total%s, %.0f%% of samples"
          + " saw a backend waiting on a lock%n", e.getKey(), m,
          Double.isNaN(one) ? "" : String.format(Locale.ROOT, " (%.2fx one node)", m / one),
          100 * median(waiting.get(e.getKey())));
    }
  }

  private record Result(double rate, double waitingShare) {}

  /** One node count on a fresh schema: start the nodes, sample locks, report. */
  private static Result round(String server, int nodes, int events, int warmUp, int round)
      throws Exception {
    String schema = "cdp_b_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String app = schema + "_node";
    exec(server, "CREATE SCHEMA " + schema);
    try {
      String url = server + "?currentSchema=" + schema + "&reWriteBatchedInserts=true"
          + "&ApplicationName=" + app;
      // The schema is made before the nodes start, so they race on data, not on migrations.
      try (HikariDataSource ds = pool(url)) {
        JdbcStore.builder().dataSource(ds).build().close();
      }
      List<Node> started = new ArrayList<>();
      try {
        for (int n = 0; n < nodes; n++) {
          started.add(new Node(url, n, events, warmUp));
        }
        for (Node node : started) {
          node.awaitReady();
        }
        try (Sampler sampler = new Sampler(server, schema, app)) {
          long t0 = System.nanoTime();
          for (Node node : started) {
            node.go();
          }
          for (Node node : started) {
            node.await();
          }
          long t1 = System.nanoTime();
          sampler.stop();
          double rate = (double) nodes * events / ((t1 - t0) / 1e9);
          StringBuilder perNode = new StringBuilder();
          for (Node node : started) {
            perNode.append(String.format(Locale.ROOT, " %,.0f", node.rate()));
          }
          System.out.printf(Locale.ROOT, "round %d, %d node(s): %,.0f events/s total (per node:%s);"
              + " %s%n", round, nodes, rate, perNode, sampler.describe());
          return new Result(rate, sampler.waitingShare());
        }
      } finally {
        for (Node node : started) {
          node.close();
        }
      }
    } finally {
      exec(server, "DROP SCHEMA " + schema + " CASCADE");
    }
  }

  /**
   * Polls the server for this run's backends waiting on a lock, every {@value #SAMPLE_MS} ms,
   * on a thread of its own, until stopped.
   */
  private static final class Sampler implements AutoCloseable {
    private static final String WAITS = "SELECT l.locktype, c.relname, a.query"
        + " FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted"
        + " LEFT JOIN pg_class c ON c.oid = l.relation"
        + " WHERE a.application_name = ? AND a.wait_event_type = 'Lock'";
    private final Connection connection;
    private final Thread thread;
    private volatile boolean running = true;
    // Written by the sampling thread only; read after join().
    private int samples;
    private int waitingSamples;
    private final Map<String, Integer> byLock = new TreeMap<>();
    private final String schema;
    private final String app;
    private SQLException failure;

    Sampler(String server, String schema, String app) throws SQLException {
      this.schema = schema;
      this.app = app;
      this.connection = DriverManager.getConnection(server, "postgres", "");
      this.thread = new Thread(this::loop, "lock-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      try (PreparedStatement st = connection.prepareStatement(WAITS)) {
        st.setString(1, app);
        while (running) {
          Set<String> seen = new HashSet<>();
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              String relation = rs.getString(2);
              seen.add(rs.getString(1) + " " + (relation == null ? "-" : relation) + " ("
                  + statement(String.valueOf(rs.getString(3))) + ")");
            }
          }
          samples++;
          if (!seen.isEmpty()) {
            waitingSamples++;
          }
          for (String s : seen) {
            byLock.merge(s, 1, Integer::sum);
          }
          TimeUnit.MILLISECONDS.sleep(SAMPLE_MS);
        }
      } catch (SQLException e) {
        failure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * What a waiting statement is, without its values: its first word, the first {@code cdp_}
     * table it names, and {@code FOR UPDATE} when it locks rows it reads.
     */
    private static String statement(String sql) {
      String trimmed = sql.strip();
      int space = trimmed.indexOf(' ');
      String verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
      Matcher m = TABLE.matcher(trimmed);
      return verb + " " + (m.find() ? m.group(1) : "?")
          + (trimmed.toUpperCase(Locale.ROOT).contains("FOR UPDATE") ? " FOR UPDATE" : "");
    }

    void stop() throws InterruptedException, SQLException {
      running = false;
      thread.join();
      if (failure != null) {
        throw failure;
      }
    }

    double waitingShare() {
      return samples == 0 ? 0 : (double) waitingSamples / samples;
    }

    String describe() {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
          "lock waits in %d of %d samples (%.0f%%)", waitingSamples, samples,
          100 * waitingShare()));
      if (!byLock.isEmpty()) {
        b.append(": ");
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(byLock.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (int i = 0; i < sorted.size(); i++) {
          b.append(i == 0 ? "" : ", ").append(sorted.get(i).getKey()).append(' ')
              .append(sorted.get(i).getValue());
        }
      }
      return b.toString().replace(schema + ".", "");
    }

    @Override
    public void close() throws SQLException {
      running = false;
      connection.close();
    }
  }

  /** A child JVM running {@link #node}: READY, then on "go" its ingest, then "DONE nanos". */
  private static final class Node implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Path log;
    private long nanos = -1;
    private final int events;

    Node(String url, int node, int events, int warmUp) throws IOException {
      this.events = events;
      this.log = Files.createTempFile("cdp-nodes-" + node + "-", ".log");
      List<String> cmd = List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
          "-cp", System.getProperty("java.class.path"), NodesIngest.class.getName(),
          "node", url, Integer.toString(node), Integer.toString(events),
          Integer.toString(warmUp));
      process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
    }

    void awaitReady() throws IOException {
      String line = out.readLine();
      if (!"READY".equals(line)) {
        throw new IllegalStateException("node said " + line + " instead of READY; stderr: "
            + stderr());
      }
    }

    void go() throws IOException {
      OutputStream in = process.getOutputStream();
      in.write("go\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    void await() throws IOException, InterruptedException {
      String line = out.readLine();
      if (line == null || !line.startsWith("DONE ")) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("node said " + line + " instead of DONE; stderr: "
            + stderr());
      }
      nanos = Long.parseLong(line.substring(5));
      if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() != 0) {
        throw new IllegalStateException("node exited with " + process.exitValue() + "; stderr: "
            + stderr());
      }
    }

    /** This node's own events/s, from "go" to its last commit. */
    double rate() {
      return events / (nanos / 1e9);
    }

    private String stderr() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException, InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor();
      }
      Files.deleteIfExists(log);
    }
  }

  /** The child: {@code node URL NODE EVENTS}. */
  private static void node(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String url = args[1];
    int node = Integer.parseInt(args[2]);
    int events = Integer.parseInt(args[3]);
    int warmUp = Integer.parseInt(args[4]);
    List<Event> all = RetailEvents.numberedFrom(node * VISITORS_PER_NODE, VISITORS_PER_NODE,
        0.8, RetailEvents.SEED + node).next(warmUp + events);
    List<Event> before = all.subList(0, warmUp);
    List<Event> mine = all.subList(warmUp, all.size());
    // Warm the JIT up on an in-memory instance with the same events.
    try (Cdp warm = Cdp.builder().build()) {
      ingest(warm, all);
    }
    try (HikariDataSource ds = pool(url);
        JdbcStore store = JdbcStore.builder().dataSource(ds).build();
        Cdp cdp = Cdp.builder().store(store).build()) {
      // and on the store, with this node's first events: the JDBC path's code is compiled and
      // its pool, cache and prepared statements are in use before "go", as in a node that has
      // been running (its customers return to profiles already stored).
      ingest(cdp, before);
      out.println("READY");
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      long t0 = System.nanoTime();
      ingest(cdp, mine);
      out.println("DONE " + (System.nanoTime() - t0));
    }
  }

  private static void ingest(Cdp cdp, List<Event> events) {
    for (int i = 0; i < events.size(); i += BATCH) {
      BatchResult r = cdp.ingest(events.subList(i, Math.min(events.size(), i + BATCH)));
      if (r.stored() != Math.min(BATCH, events.size() - i)) {
        throw new IllegalStateException("batch at " + i + " stored " + r.stored() + " of its"
            + " events: " + r.duplicates() + " duplicates, " + r.rejected() + " rejected");
      }
    }
  }

  private static HikariDataSource pool(String url) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername("postgres");
    cfg.setMaximumPoolSize(2);
    return new HikariDataSource(cfg);
  }

  private static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on " + url + ": " + e.getMessage(), e);
    }
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(name + " must be a positive whole number, was " + value);
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
