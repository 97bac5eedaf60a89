package io.cdpkit.benchmarks;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A plain program that measures the in-memory store's speed and the heap it retains per stored
 * event (a program, not a library type). Each round builds the events afresh, ingests them into
 * a fresh in-memory {@link Cdp} in batches of {@code BATCH}, timing the ingest only, then drops
 * every reference to the input events and measures the heap after forced collections: what is
 * left beyond the heap before the round is what the store retains, whether its own copy or the
 * caller's objects it kept. Prints events/s and bytes per stored event per round, then their
 * medians (the first round, a JIT warm-up, is not counted when there are more than two). On a
 * shared machine the ingest thread's CPU time per event and the collectors' time during the
 * ingest (also printed) say more than the wall-clock rate. It also prints the bytes the ingest
 * thread allocated per event during the ingest.
 *
 * <p>The control line of each round is the heap the input events alone take (measured before
 * ingesting, the list still referenced): a store that keeps the caller's objects retains about
 * that much or more.
 *
 * <p>Streams: {@code retail} (the {@link RetailEvents} stream of the ingest benchmarks),
 * {@code rich} ({@link RetailEvents#rich}: order line items, consents) and {@code uci} (the UCI
 * Online Retail data set, one {@code Order Completed} per invoice with its lines as
 * {@code products}, from {@code ../shared/data/online-retail/online_retail.csv.gz} relative to
 * the project root, or the path in {@code -Dcdp.uci=...}; at most its 25,900 invoices).
 * {@code -Dcdp.histogram=30} prints the 30 largest classes of the live heap after the last
 * round, the store still open: where the retained bytes are.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx8g -XX:+UseParallelGC -cp cdp-benchmarks/target/benchmarks.jar \
 *     io.cdpkit.benchmarks.MemoryRetained retail 600000 100 5
 * java -Xmx8g -XX:+UseParallelGC -cp cdp-benchmarks/target/benchmarks.jar \
 *     io.cdpkit.benchmarks.MemoryRetained uci 30000 100 3
 * </pre>
 */
public final class MemoryRetained {
  private MemoryRetained() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4) {
      System.err.println("usage: MemoryRetained retail|rich|uci EVENTS BATCH ROUNDS");
      System.exit(2);
    }
    String stream = args[0];
    int n = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    if (!List.of("retail", "rich", "uci").contains(stream) || n < 1 || batch < 1
        || rounds < 1) {
      System.err.println("stream must be retail, rich or uci; EVENTS, BATCH, ROUNDS at least 1");
      System.exit(2);
    }
    MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
    List<Double> rates = new ArrayList<>();
    List<Double> perEvent = new ArrayList<>();
    List<Double> cpus = new ArrayList<>();
    List<Double> allocs = new ArrayList<>();
    List<Double> gcs = new ArrayList<>();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      long before = usedAfterGc(heap);
      List<Event> events = events(stream, n);
      long withInput = usedAfterGc(heap);
      Cdp cdp = Cdp.builder().build();
      long gc0 = gcMillis();
      long alloc0 = allocated(threads);
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long stored = 0;
      String firstRejection = null;
      for (int i = 0; i < events.size(); i += batch) {
        BatchResult b = cdp.ingest(events.subList(i, Math.min(events.size(), i + batch)));
        stored += b.stored();
        if (firstRejection == null && b.stored() < b.results().size()) {
          // A plain loop, and only for a batch that stored less: a stream per batch allocated
          // inside the timed loop (about 50 bytes per event).
          for (var x : b.results()) {
            if (x.rejection().isPresent()) {
              firstRejection = x.rejection().get().getMessage();
              break;
            }
          }
        }
      }
      long t1 = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      long alloc = allocated(threads) - alloc0;
      long gc = gcMillis() - gc0;
      int count = events.size();
      events = null; // only the store may keep the events now
      long after = usedAfterGc(heap);
      double rate = count / ((t1 - t0) / 1e9);
      double bytes = (after - before) / (double) stored;
      double cpuNanos = cpu / (double) count;
      double allocPerEvent = alloc / (double) count;
      System.out.printf("round %d: %,d events (%,d stored), %,.0f events/s, ingest thread CPU"
          + " %,.0f ns per event, %,.0f bytes allocated per event, collections %,d ms of %,d ms;"
          + " retained %,.0f bytes per stored event (input alone: %,.0f bytes per event)%n", r,
          count, stored, rate, cpuNanos, allocPerEvent, gc, (t1 - t0) / 1_000_000, bytes,
          (withInput - before) / (double) count);
      if (stored != count) {
        throw new IllegalStateException("stored " + stored + " of " + count + " events; the"
            + " first rejection: " + firstRejection);
      }
      if (r == rounds - 1 && Integer.getInteger("cdp.histogram", 0) > 0) {
        printHistogram(Integer.getInteger("cdp.histogram"));
      }
      if (rounds <= 2 || r > 0) {
        rates.add(rate);
        cpus.add(cpuNanos);
        allocs.add(allocPerEvent);
        gcs.add((double) gc);
        perEvent.add(bytes);
      }
      cdp.close();
    }
    System.out.printf("%s, batches of %d, median of %d rounds: %,.0f events/s, %,.0f bytes per"
        + " stored event, ingest thread CPU %,.0f ns per event, %,.0f bytes allocated per event,"
        + " collections %,.0f ms%n", stream, batch, rates.size(), median(rates),
        median(perEvent), median(cpus), median(allocs), median(gcs));
  }

  private static List<Event> events(String stream, int n) {
    return switch (stream) {
      case "retail" -> new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(n);
      case "rich" -> RetailEvents.rich(500_000, 0.8, RetailEvents.SEED).next(n);
      default -> uci(n);
    };
  }

  /**
   * Bytes the current thread has allocated so far, where the JVM tells ({@code -1} elsewhere,
   * which the output then shows as a negative number).
   */
  private static long allocated(ThreadMXBean threads) {
    return threads instanceof com.sun.management.ThreadMXBean t
        ? t.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
  }

  /** Milliseconds all collectors have spent so far. */
  private static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }

  /** Heap in use after collections, once two in a row agree within 1 MB (at most 8). */
  static long usedAfterGc(MemoryMXBean heap) throws InterruptedException {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 8; i++) {
      System.gc();
      Thread.sleep(100);
      long used = heap.getHeapMemoryUsage().getUsed();
      if (Math.abs(used - last) < 1 << 20) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }

  /** The first {@code lines} lines of the live-object class histogram (where the bytes are). */
  private static void printHistogram(int lines) {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
          "gcClassHistogram", new Object[] {new String[0]},
          new String[] {String[].class.getName()});
      String[] all = text.toString().split("\n");
      for (int i = 0; i < Math.min(lines + 3, all.length); i++) {
        System.out.println(all[i]);
      }
    } catch (javax.management.JMException ex) {
      System.out.println("no class histogram: " + ex);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int m = s.size() / 2;
    return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
  }

  /**
   * The UCI Online Retail invoices as {@code Order Completed} events (cancellations as
   * {@code Order Refunded}): userId the customer, or an anonymousId per invoice when the row has
   * none; each line a {@code products} item; the time the invoice's, taken as UTC.
   */
  static List<Event> uci(int max) {
    Path file = Path.of(System.getProperty("cdp.uci",
        "../shared/data/online-retail/online_retail.csv.gz"));
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("cannot read the UCI data at " + file.toAbsolutePath()
          + " (set -Dcdp.uci=PATH)");
    }
    Map<String, List<String[]>> invoices = new LinkedHashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = csv(line);
        if (f.length != 8) {
          throw new IllegalStateException("a UCI row has " + f.length + " fields, not 8");
        }
        List<String[]> rows = invoices.get(f[0]);
        if (rows == null) {
          if (invoices.size() == max) {
            break;
          }
          rows = new ArrayList<>();
          invoices.put(f[0], rows);
        }
        rows.add(f);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    List<Event> out = new ArrayList<>(invoices.size());
    for (Map.Entry<String, List<String[]>> e : invoices.entrySet()) {
      String invoice = e.getKey();
      List<String[]> rows = e.getValue();
      String[] first = rows.get(0);
      boolean cancelled = invoice.startsWith("C");
      List<Map<String, Object>> products = new ArrayList<>(rows.size());
      BigDecimal total = BigDecimal.ZERO;
      for (String[] f : rows) {
        BigDecimal price = new BigDecimal(f[5]);
        long quantity = Long.parseLong(f[3]);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("product_id", f[1]);
        item.put("name", f[2]);
        item.put("quantity", quantity);
        item.put("price", price);
        products.add(item);
        total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
      }
      Event.Builder b = Event.track(cancelled ? "Order Refunded" : "Order Completed")
          .messageId("uci-" + invoice)
          .property("order_id", invoice)
          .property("total", total.abs()) // a refund states its amount as positive
          .property("currency", "GBP")
          .property("country", first[7])
          .property("products", products)
          .channel("web")
          .timestamp(LocalDateTime.parse(first[4].replace(' ', 'T')).toInstant(ZoneOffset.UTC));
      if (first[6].isEmpty()) {
        b.anonymousId("uci-guest-" + invoice);
      } else {
        b.userId(first[6].endsWith(".0") ? first[6].substring(0, first[6].length() - 2)
            : first[6]);
      }
      out.add(b.build());
    }
    return out;
  }

  /** One CSV line's fields; a quoted field may hold commas and doubled quotes. */
  private static String[] csv(String line) {
    List<String> out = new ArrayList<>(8);
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out.toArray(new String[0]);
  }
}
