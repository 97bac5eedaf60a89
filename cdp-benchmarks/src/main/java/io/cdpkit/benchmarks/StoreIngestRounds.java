package io.cdpkit.benchmarks;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A plain program for profiling ingestion into one store kind (JMH measures it; this gives a
 * profiler a steady run): ingests the first {@code N} events of the {@link RetailEvents} stream
 * in batches of {@code BATCH} (1 = one {@code ingest(Event)} per event) into a fresh store,
 * {@code ROUNDS} times, printing events/s per round and, for one ingest thread, the CPU time
 * per event of that thread and of a PostgreSQL or MariaDB server on this machine
 * ({@link ServerCpu}). A program, not a library type.
 *
 * <p>An optional fifth argument sets encryption at rest of the JDBC stores: {@code off} (the
 * default), {@code on}, or {@code compare}: each round then ingests into a store without and
 * one with encryption (in alternating order, so that drift in the machine's load falls on
 * both), after {@value #WARM_UP_PAIRS} such pairs that warm the JIT up and are not counted, and the end prints the
 * median of each and their ratio.
 *
 * <p>Two system properties serve long runs of one store as it grows: {@code bench.warmUp} (rounds
 * run first and not counted, 0 unless set; in compare mode the pairs above instead) and
 * {@code bench.window} (events: each round also prints the rate of every window of that many
 * events, so that a store's speed can be followed as it fills). With
 * {@code bench.reopen=true} (H2 file kinds), each counted round then closes the store and opens it
 * again on the same files, as a restart would (the journal as it is, no checkpoint first), and
 * prints how long each took and how many events the reopened store holds, instead of the rate
 * with a checkpoint.
 *
 * <p>{@code bench.serverWork=true} (PostgreSQL) also prints what the server did per event in
 * counts that do not drift with the machine's speed ({@link ServerWork}: WAL, rows written,
 * buffers); each round then waits about 20 s more, outside its timed part.
 *
 * <p>{@code bench.threads=T} (1 unless set) ingests with {@code T} threads of one {@code Cdp},
 * as a node serving several callers does: thread {@code t} takes the batches {@code t},
 * {@code t + T}, {@code t + 2T}, ... of the stream, in order (so a customer's events may be
 * ingested out of order across threads, which gives the same profiles). The rate is all events
 * over the time until the last thread is done, and each round then checks that the store holds
 * every event once. Batches of 1 are not supported with threads. With {@code bench.split=customer}
 * each thread instead takes the events of its own visitors (by a hash of the anonymousId, or of
 * the userId where there is none), in stream order and in batches of {@code BATCH}, as a node
 * whose callers each serve their own shoppers does: threads then share a person only where her
 * devices fall to different threads and merge. Threaded rounds print the CPU time per event of
 * this JVM (all its threads: the collector and the compiler too) and of the server.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx4g -XX:StartFlightRecording=filename=h2.jfr,settings=profile \
 *     -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.StoreIngestRounds \
 *     h2file 200000 100 3
 * </pre>
 */
public final class StoreIngestRounds {
  /** Pairs of rounds (without, with encryption) run first and not counted in compare mode. */
  static final int WARM_UP_PAIRS = 2;

  private StoreIngestRounds() {}

  public static void main(String[] args) {
    if (args.length != 4 && args.length != 5) {
      System.err.println("usage: StoreIngestRounds STORE EVENTS BATCH ROUNDS [off|on|compare]"
          + "  (STORE: " + BenchStores.KINDS + ")");
      System.exit(2);
    }
    String encryption = args.length == 5 ? args[4] : "off";
    if (!List.of("off", "on", "compare").contains(encryption)) {
      System.err.println("encryption: off, on or compare, was " + encryption);
      System.exit(2);
    }
    String kind = args[0];
    int n = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    List<Event> events = new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(n);
    List<Double> off = new ArrayList<>();
    List<Double> on = new ArrayList<>();
    for (int w = 0; !encryption.equals("compare") && w < Integer.getInteger("bench.warmUp", 0);
        w++) {
      round(kind, events, batch, -1, encryption.equals("on"));
    }
    for (int w = 0; encryption.equals("compare") && w < WARM_UP_PAIRS; w++) {
      round(kind, events, batch, -1, false);
      round(kind, events, batch, -1, true);
    }
    for (int r = 0; r < rounds; r++) {
      if (encryption.equals("compare")) {
        boolean onFirst = r % 2 == 1;
        double first = round(kind, events, batch, r, onFirst);
        double second = round(kind, events, batch, r, !onFirst);
        (onFirst ? on : off).add(first);
        (onFirst ? off : on).add(second);
      } else {
        round(kind, events, batch, r, encryption.equals("on"));
      }
    }
    if (encryption.equals("compare")) {
      double mOff = median(off);
      double mOn = median(on);
      System.out.printf("%s median of %d rounds: off %,.0f events/s, on %,.0f events/s,"
          + " on/off %.3f (encryption costs %.1f%%)%n", kind, rounds, mOff, mOn, mOn / mOff,
          100 * (1 - mOn / mOff));
    }
  }

  private static double round(String kind, List<Event> events, int batch, int r,
      boolean encrypted) {
    int n = events.size();
    try (BenchStores s = BenchStores.open(kind, 100_000, encrypted);
        Cdp cdp = Cdp.builder().store(s.store()).build()) {
      int threads = Integer.getInteger("bench.threads", 1);
      if (threads > 1) {
        return threaded(kind, cdp, s, events, batch, r, threads);
      }
      int window = r < 0 ? 0 : Integer.getInteger("bench.window", 0);
      ServerWork work = ServerWork.start(kind);
      ServerCpu.Round cpuRound = ServerCpu.Round.start(kind);
      long t0 = System.nanoTime();
      long windowStart = t0;
      int windowFrom = 0;
      for (int i = 0; i < n; i += batch) {
        if (batch == 1) {
          cdp.ingest(events.get(i));
        } else {
          cdp.ingest(events.subList(i, Math.min(n, i + batch)));
        }
        int done = Math.min(n, i + batch);
        if (window > 0 && (done - windowFrom >= window || done == n)) {
          long now = System.nanoTime();
          System.out.printf("  events %,d-%,d: %,.0f events/s%n", windowFrom + 1, done,
              (done - windowFrom) / ((now - windowStart) / 1e9));
          windowStart = now;
          windowFrom = done;
        }
      }
      long t1 = System.nanoTime();
      String cpu = cpuRound.perEvent(n);
      if (r >= 0 && Boolean.getBoolean("bench.reopen")) {
        long[] took = s.reopen();
        long stored = storedEvents(s);
        System.out.printf("%s round %d: %,.0f events/s (batch %d); closed in %,d ms, opened"
            + " again in %,d ms, holding %,d events%n", kind, r, n / ((t1 - t0) / 1e9), batch,
            took[0] / 1_000_000, took[1] / 1_000_000, stored);
        return n / ((t1 - t0) / 1e9);
      }
      s.checkpoint();
      long t2 = System.nanoTime();
      if (work != null) {
        // After the checkpoint's time is taken: the reading waits for the counts to settle.
        cpu += "; " + work.perEvent(n);
      }
      double rate = n / ((t1 - t0) / 1e9);
      System.out.printf("%s %s%s: %,.0f events/s (batch %d); with a checkpoint of the journal"
          + " at the end (journaled layout) %,.0f events/s; %s%n", kind,
          r < 0 ? "warm-up" : "round " + r, encrypted ? " encrypted" : "", rate, batch,
          n / ((t2 - t0) / 1e9), cpu);
      return rate;
    }
  }

  /** One round with {@code threads} callers; see the class description. */
  private static double threaded(String kind, Cdp cdp, BenchStores s, List<Event> events,
      int batch, int r, int threads) {
    if (batch < 2) {
      throw new IllegalArgumentException("bench.threads needs batches of 2 or more");
    }
    int n = events.size();
    boolean byCustomer = "customer".equals(System.getProperty("bench.split", "batches"));
    // Each thread's batches: its own visitors' events in stream order, cut every BATCH events;
    // or every threads-th batch of the stream.
    List<List<List<Event>>> batches = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      batches.add(new ArrayList<>());
    }
    if (byCustomer) {
      List<List<Event>> shares = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        shares.add(new ArrayList<>());
      }
      for (Event e : events) {
        String person = e.anonymousId() != null ? e.anonymousId() : e.userId();
        shares.get(Math.floorMod(person == null ? 0 : person.hashCode(), threads)).add(e);
      }
      for (int t = 0; t < threads; t++) {
        List<Event> share = shares.get(t);
        for (int i = 0; i < share.size(); i += batch) {
          batches.get(t).add(share.subList(i, Math.min(share.size(), i + batch)));
        }
      }
    } else {
      for (int i = 0, b = 0; i < n; i += batch, b++) {
        batches.get(b % threads).add(events.subList(i, Math.min(n, i + batch)));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Long>> work = new ArrayList<>();
      for (List<List<Event>> own : batches) {
        work.add(() -> {
          long rejected = 0;
          for (List<Event> b : own) {
            rejected += cdp.ingest(b).rejected();
          }
          return rejected;
        });
      }
      ServerCpu.Round cpu = ServerCpu.Round.start(kind);
      long t0 = System.nanoTime();
      long rejected = 0;
      for (Future<Long> f : pool.invokeAll(work)) {
        rejected += f.get();
      }
      long t1 = System.nanoTime();
      String cpuPerEvent = cpu.perEventAllThreads(n);
      long stored = storedEvents(s);
      if (rejected != 0 || stored != n) {
        throw new IllegalStateException(kind + ": " + rejected + " events rejected, " + stored
            + " of " + n + " stored");
      }
      double rate = n / ((t1 - t0) / 1e9);
      System.out.printf("%s %s: %,.0f events/s (batch %d, %d threads%s; %,d events stored);"
          + " %s%n", kind, r < 0 ? "warm-up" : "round " + r, rate, batch, threads,
          byCustomer ? " by customer" : "", stored, cpuPerEvent);
      return rate;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("an ingest thread failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The events the store holds, of every name. */
  private static long storedEvents(BenchStores s) {
    return s.store().read(WorkspaceId.DEFAULT, tx -> tx.eventNameCounts()).values().stream()
        .mapToLong(Long::longValue).sum();
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
