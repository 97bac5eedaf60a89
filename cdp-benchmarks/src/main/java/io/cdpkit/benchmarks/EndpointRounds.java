package io.cdpkit.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.http.TrackingEndpoint;
import io.cdpkit.core.http.TrackingRequest;
import io.cdpkit.core.http.TrackingResponse;
import io.cdpkit.core.http.TrackingServer;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * What the HTTP tracking endpoint costs over direct ingestion: the first {@code EVENTS} events of
 * the {@link RetailEvents} stream, in batches of {@code BATCH}, ingested by each variant into a
 * fresh store of the kind {@code STORE} ({@link BenchStores}) every round:
 *
 * <ul>
 *   <li>{@code direct}: {@code cdp.ingest(List<Event>)} per batch;
 *   <li>{@code json}: the batch's {@code {"batch": [...]}} body, read by
 *       {@code EventCodec.readBody} and ingested by {@code Workspace.ingest(DecodedBody)}, in
 *       this thread: what the endpoint does with a body, without the rest of the endpoint;
 *   <li>{@code handle}: the body through {@code TrackingEndpoint.handle} in this thread (write
 *       key, reading, decoding, ingesting, writing the answer), without HTTP;
 *   <li>{@code http}: the body POSTed to {@code /v1/batch} of a {@link TrackingServer} on
 *       127.0.0.1 with {@code java.net.http.HttpClient} (HTTP/1.1, one kept-alive connection,
 *       the write key in a Basic header), one request at a time, each waiting for its answer;
 *   <li>{@code gzip}: as {@code http}, the bodies gzip-compressed with
 *       {@code Content-Encoding: gzip};
 *   <li>{@code raw}, {@code rawgz}: as {@code http} and {@code gzip}, sent by a minimal
 *       HTTP/1.1 client of this class's own on a plain socket (one write per request, the
 *       answer read by its {@code Content-Length}), which costs the client almost nothing:
 *       {@code HttpClient} spends about 400 µs of CPU per request, and on two shared cores
 *       that is taken from the server;
 *   <li>{@code floor}: the least any endpoint on the JDK's server can cost. A bare
 *       {@code HttpServer} (same thread pool size as {@link TrackingServer}'s) whose handler
 *       reads the body whole, ignores it, and ingests the batch's ready-made events (the
 *       client names the batch in a header) with {@code cdp.ingest(List<Event>)}, answering
 *       a fixed JSON; sent by the {@code raw} client. So {@code floor} against {@code direct}
 *       is the JDK server and the socket, and {@code raw} against {@code floor} is everything
 *       the tracking endpoint adds (write key, decoding, validation, the answer);
 *   <li>a variant of {@code direct}, {@code http}, {@code gzip}, {@code raw}, {@code rawgz} or
 *       {@code floor}
 *       followed by a number N (2 to 64), {@code raw4} say: N client threads, batch {@code i}
 *       sent by thread {@code i % N}, each {@code raw} thread on a connection of its own. A
 *       tracking endpoint serves many clients at once, and while one request's events are
 *       written the next one's body can be read and decoded on another core; {@code direct4}
 *       gives direct ingestion the same chance.
 * </ul>
 *
 * The bodies are encoded (and compressed) once, before any round; nothing of that is timed.
 * Server, client and connection are set up before the clock starts (an {@code OPTIONS}
 * preflight opens the connection). Every answer must be 200 and, once the round is over, say
 * that all its events were stored; each round's event counts per name must equal those of
 * {@code direct}'s warm-up round. Otherwise the program ends with an exception.
 *
 * <p>Each round runs every variant, starting with a different one each round (the order
 * rotates) so that drift in the machine's load falls on all; {@value #WARM_UP_ROUNDS} rounds
 * (or as many as the system property {@code bench.warmUp} says; the JIT compiler of a 2-core
 * machine needs four or more before the server threads' code settles)
 * first warm the JIT up and are not counted. It prints events/s and p50/p99 latency per request (per {@code ingest} call for the
 * direct variants) for each, then the medians and each variant's time per event over
 * {@code direct}'s (the median of the rounds' own ratios too), and the CPU time the process spent
 * per event in the timed part, split into the server's threads and the client's (see
 * {@link Cpu}; the rest is the collector and the compiler). Client and server share the
 * machine's processors, so the HTTP variants' rates pay for the client's work as well. A program, not
 * a library type.
 *
 * <pre>
 * mvn -B -q -pl cdp-benchmarks -am package -DskipTests
 * java -Xmx4g -Dsun.net.httpserver.nodelay=true \
 *     -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.EndpointRounds \
 *     memory 200000 100 5
 * java -Xmx4g -Dsun.net.httpserver.nodelay=true \
 *     -cp cdp-benchmarks/target/benchmarks.jar io.cdpkit.benchmarks.EndpointRounds \
 *     memory 200000 100 5 direct,raw,direct4,raw4,rawgz4
 * </pre>
 *
 * An optional fifth argument names the variants, comma-separated; by default
 * {@value #DEFAULT_VARIANTS}.
 *
 * <p>The JDK's HTTP server leaves Nagle's algorithm on unless the system property
 * {@code sun.net.httpserver.nodelay} is {@code true} when its first server starts: it writes an
 * answer's headers and body as two segments, the second waits for the client's delayed
 * acknowledgement, and every request then takes about 40 ms more on Linux. Run with
 * {@code -Dsun.net.httpserver.nodelay=true} to measure the endpoint rather than that wait; the
 * first line printed says which it was.
 */
public final class EndpointRounds {
  /** The variants the fifth argument may name (see the class description). */
  static final List<String> VARIANTS =
      List.of("direct", "json", "handle", "http", "gzip", "raw", "rawgz", "floor");
  /** Rounds of every variant run first and not counted. */
  static final int WARM_UP_ROUNDS = 2;
  static final String DEFAULT_VARIANTS = "direct,json,handle,http,gzip,raw,direct4,raw4,rawgz4";
  private static final String WRITE_KEY = "bench-write-key";
  private static final String AUTHORIZATION = "Basic " + Base64.getEncoder()
      .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String kind;
  private final List<List<Event>> batches;
  private final List<byte[]> plain;
  private final List<byte[]> gzipped;
  private final int n;
  private @Nullable Map<String, Long> expected;

  private EndpointRounds(String kind, List<Event> events, int batch) {
    this.kind = kind;
    this.n = events.size();
    this.batches = new ArrayList<>();
    this.plain = new ArrayList<>();
    this.gzipped = new ArrayList<>();
    EventCodec codec = EventCodec.create();
    for (int i = 0; i < n; i += batch) {
      List<Event> b = events.subList(i, Math.min(n, i + batch));
      byte[] body = codec.encodeBatch(b);
      batches.add(b);
      plain.add(body);
      gzipped.add(gzip(body));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      System.err.println("usage: EndpointRounds STORE EVENTS BATCH ROUNDS [VARIANTS]"
          + "  (STORE: " + BenchStores.KINDS + "; VARIANTS: comma-separated of " + VARIANTS
          + ", default " + DEFAULT_VARIANTS + ")");
      System.exit(2);
    }
    String kind = args[0];
    int n = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    List<String> variants = new ArrayList<>(
        Arrays.asList((args.length == 5 ? args[4] : DEFAULT_VARIANTS).split(",")));
    if (n < 1 || batch < 1 || rounds < 1) {
      System.err.println("EVENTS, BATCH and ROUNDS must be at least 1");
      System.exit(2);
    }
    for (String v : variants) {
      if (!VARIANTS.contains(base(v)) || threads(v) < 1 || threads(v) > 64
          || (threads(v) > 1 && List.of("json", "handle").contains(base(v)))) {
        System.err.println("variant " + v + " is not one of " + VARIANTS
            + " (direct, http, gzip, raw, rawgz and floor may end in a number of client threads,"
            + " 2-64)");
        System.exit(2);
      }
    }
    if (!variants.contains("direct")) {
      variants.add(0, "direct"); // the reference of every ratio
    }
    EndpointRounds bench = new EndpointRounds(kind,
        new RetailEvents(500_000, 0.8, RetailEvents.SEED).next(n), batch);
    System.out.printf(Locale.ROOT, "%,d events in %d bodies of %d; body %,.0f bytes on average,"
        + " %,.0f gzipped; %d processors; sun.net.httpserver.nodelay=%s; variants %s%n", n,
        bench.plain.size(), batch,
        bench.plain.stream().mapToInt(b -> b.length).average().orElse(0),
        bench.gzipped.stream().mapToInt(b -> b.length).average().orElse(0),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("sun.net.httpserver.nodelay", "unset"), variants);

    bench.expected = bench.round("direct", -1).counts;
    int warmUp = Integer.getInteger("bench.warmUp", WARM_UP_ROUNDS);
    for (int w = 0; w < warmUp; w++) {
      for (String v : variants) {
        if (w > 0 || !v.equals("direct")) {
          bench.round(v, -1);
        }
      }
    }
    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (String v : variants) {
      results.put(v, new ArrayList<>());
    }
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < variants.size(); i++) {
        String v = variants.get((r + i) % variants.size());
        results.get(v).add(bench.round(v, r));
      }
    }

    System.out.printf(Locale.ROOT, "%n%s, %,d events, batch %d, medians of %d rounds:%n", kind,
        n, batch, rounds);
    System.out.printf(Locale.ROOT, "%-8s %12s %10s %10s %12s %12s %10s %10s %10s%n", "variant",
        "events/s", "p50 ms", "p99 ms", "time/direct", "(per round)", "CPU us/ev", "server",
        "client");
    List<Result> direct = results.get("direct");
    double directRate = median(direct.stream().map(x -> x.rate).toList());
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      List<Result> rs = e.getValue();
      double rate = median(rs.stream().map(x -> x.rate).toList());
      List<Double> own = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        own.add(direct.get(r).rate / rs.get(r).rate);
      }
      System.out.printf(Locale.ROOT, "%-8s %,12.0f %10.3f %10.3f %12.3f %12.3f %10.2f %10.2f"
          + " %10.2f%n", e.getKey(), rate, median(rs.stream().map(x -> x.p50).toList()),
          median(rs.stream().map(x -> x.p99).toList()), directRate / rate, median(own),
          median(rs.stream().map(x -> x.cpu).toList()),
          median(rs.stream().map(x -> x.server).toList()),
          median(rs.stream().map(x -> x.client).toList()));
    }
    // Direct ingestion and the endpoint, each at the number of client threads that suits it
    // best: many clients at once is how an endpoint is used, and the store's writes of one
    // workspace may or may not gain from several writers.
    String bestDirect = best(results, "direct");
    for (String kindOf : List.of("raw", "rawgz", "http", "gzip", "floor")) {
      String b = best(results, kindOf);
      if (bestDirect != null && b != null) {
        double d = median(results.get(bestDirect).stream().map(x -> x.rate).toList());
        double e = median(results.get(b).stream().map(x -> x.rate).toList());
        System.out.printf(Locale.ROOT, "best %-5s %-8s %,10.0f events/s against best direct"
            + " %-8s %,10.0f: time/direct %.3f%n", kindOf, b, e, bestDirect, d, d / e);
      }
    }
  }

  /** The variant of {@code base} with the highest median rate, or null when none ran. */
  private static @Nullable String best(Map<String, List<Result>> results, String base) {
    String best = null;
    double rate = -1;
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      if (base(e.getKey()).equals(base)) {
        double r = median(e.getValue().stream().map(x -> x.rate).toList());
        if (r > rate) {
          rate = r;
          best = e.getKey();
        }
      }
    }
    return best;
  }

  /** One variant's round: rate in events/s, latency per request in milliseconds. */
  private record Result(double rate, double p50, double p99, Map<String, Long> counts,
      double cpu, double server, double client) {}

  /**
   * CPU time of the process and of each live thread, in nanoseconds: what the round's threads
   * spent is told apart by name, the server's ({@code cdp-tracking-*} and the JDK server's
   * {@code HTTP-Dispatcher}) from the client's ({@code HttpClient-*}, {@code main} and the
   * two-thread variants' {@code pool-*}); the rest of the process (collector, compiler) is
   * neither.
   */
  private record Cpu(long process, Map<Long, Long> threads, Map<Long, String> names) {
    static Cpu now() {
      java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      Map<Long, Long> threads = new HashMap<>();
      Map<Long, String> names = new HashMap<>();
      for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (t != null) {
          long c = mx.getThreadCpuTime(t.getThreadId());
          if (c >= 0) {
            threads.put(t.getThreadId(), c);
            names.put(t.getThreadId(), t.getThreadName());
          }
        }
      }
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean();
      return new Cpu(os.getProcessCpuTime(), threads, names);
    }

    /** Nanoseconds since {@code start}: process, server, client. */
    long[] since(Cpu start) {
      long server = 0;
      long client = 0;
      for (Map.Entry<Long, Long> e : threads.entrySet()) {
        long spent = e.getValue() - start.threads.getOrDefault(e.getKey(), 0L);
        String name = names.get(e.getKey());
        if (name.startsWith("cdp-tracking") || name.startsWith("HTTP-Dispatcher")) {
          server += spent;
        } else if (name.startsWith("HttpClient") || name.equals("main")
            || name.startsWith("pool-")) {
          client += spent;
        }
      }
      return new long[] {process - start.process, server, client};
    }
  }

  private @Nullable Cpu cpuStart;
  private @Nullable Cpu cpuEnd;

  private Result round(String variant, int r) throws Exception {
    try (BenchStores s = BenchStores.open(kind, 100_000);
        Cdp cdp = Cdp.builder().store(s.store()).build()) {
      long[] latencies = new long[batches.size()];
      List<Object> answers = new ArrayList<>(Collections.nCopies(batches.size(), null));
      long elapsed;
      switch (base(variant)) {
        case "direct":
          elapsed = timed(threads(variant), latencies,
              i -> answers.set(i, cdp.ingest(batches.get(i))));
          break;
        case "json": {
          EventCodec codec = EventCodec.create();
          elapsed = timed(1, latencies, i -> answers.set(i,
              cdp.workspace(WorkspaceId.DEFAULT).ingest(codec.readBody(plain.get(i)))));
          break;
        }
        case "handle": {
          TrackingEndpoint endpoint = endpoint(cdp);
          Map<String, List<String>> headers = Map.of("Authorization", List.of(AUTHORIZATION),
              "Content-Type", List.of("application/json"));
          elapsed = timed(1, latencies, i -> {
            TrackingResponse a = endpoint.handle(new TrackingRequest("POST", "/v1/batch",
                headers, new ByteArrayInputStream(plain.get(i))));
            answers.set(i, answer(i, a.status(), a.body()));
          });
          break;
        }
        case "raw":
        case "rawgz": {
          try (TrackingServer server = TrackingServer.builder(endpoint(cdp))
              .address(new InetSocketAddress("127.0.0.1", 0)).start()) {
            int threads = threads(variant);
            boolean gz = base(variant).equals("rawgz");
            List<byte[]> bodies = gz ? gzipped : plain;
            RawConnection[] connections = new RawConnection[threads];
            try {
              for (int t = 0; t < threads; t++) {
                connections[t] = new RawConnection(server.port(), gz);
              }
              elapsed = timed(threads, latencies, i -> {
                RawConnection c = connections[i % threads];
                answers.set(i, answer(i, c.post(bodies.get(i)), c.answer));
              });
            } finally {
              for (RawConnection c : connections) {
                if (c != null) {
                  c.close();
                }
              }
            }
          }
          break;
        }
        case "floor": {
          if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true"); // as TrackingServer does
          }
          com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
              new InetSocketAddress("127.0.0.1", 0), 0);
          java.util.concurrent.atomic.AtomicInteger named =
              new java.util.concurrent.atomic.AtomicInteger();
          ExecutorService pool = Executors.newFixedThreadPool(
              Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), task -> {
                Thread t = new Thread(task, "cdp-tracking-floor-" + named.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
          server.createContext("/v1/batch", x -> {
            try (x) {
              x.getRequestBody().readAllBytes();
              int i = Integer.parseInt(x.getRequestHeaders().getFirst("X-Batch"));
              BatchResult b = cdp.ingest(batches.get(i));
              byte[] a = ("{\"success\":true,\"stored\":" + b.stored() + "}")
                  .getBytes(StandardCharsets.UTF_8);
              x.getResponseHeaders().set("Content-Type", "application/json");
              x.sendResponseHeaders(200, a.length);
              x.getResponseBody().write(a);
            }
          });
          server.setExecutor(pool);
          server.start();
          int threads = threads(variant);
          RawConnection[] connections = new RawConnection[threads];
          try {
            for (int t = 0; t < threads; t++) {
              connections[t] = new RawConnection(server.getAddress().getPort(), false);
            }
            elapsed = timed(threads, latencies, i -> {
              RawConnection c = connections[i % threads];
              answers.set(i, answer(i, c.post(plain.get(i), "X-Batch: " + i + "\r\n"),
                  c.answer));
            });
          } finally {
            for (RawConnection c : connections) {
              if (c != null) {
                c.close();
              }
            }
            server.stop(0);
            pool.shutdownNow();
          }
          break;
        }
        case "http":
        case "gzip": {
          try (TrackingServer server = TrackingServer.builder(endpoint(cdp))
              .address(new InetSocketAddress("127.0.0.1", 0)).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .build();
            URI uri = server.baseUri().resolve("/v1/batch");
            int threads = threads(variant);
            { // opens a connection (more threads open theirs on their first requests)
              HttpResponse<Void> pre = client.send(HttpRequest.newBuilder(uri)
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(),
                  HttpResponse.BodyHandlers.discarding());
              if (pre.statusCode() != 204) {
                throw new IllegalStateException("OPTIONS " + uri + " answered "
                    + pre.statusCode());
              }
            }
            boolean gz = base(variant).equals("gzip");
            List<byte[]> bodies = gz ? gzipped : plain;
            elapsed = timed(threads, latencies, i -> {
              HttpRequest.Builder q = HttpRequest.newBuilder(uri)
                  .header("Authorization", AUTHORIZATION)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)));
              if (gz) {
                q.header("Content-Encoding", "gzip");
              }
              HttpResponse<byte[]> a;
              try {
                a = client.send(q.build(), HttpResponse.BodyHandlers.ofByteArray());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
              answers.set(i, answer(i, a.statusCode(), a.body()));
            });
          }
          break;
        }
        default:
          throw new IllegalArgumentException("variant " + variant);
      }
      long stored = 0;
      for (int i = 0; i < answers.size(); i++) {
        Object a = answers.get(i);
        if (a instanceof BatchResult b) {
          if (b.stored() != batches.get(i).size()) {
            throw new IllegalStateException(variant + ": batch " + i + " stored " + b.stored()
                + " of " + batches.get(i).size() + " (" + b.rejected() + " rejected, "
                + b.duplicates() + " duplicates)");
          }
          stored += b.stored();
        } else {
          JsonNode j = JSON.readTree((byte[]) a);
          if (!j.path("success").asBoolean() || j.path("stored").asLong()
              != batches.get(i).size()) {
            throw new IllegalStateException(variant + ": body " + i + " of "
                + batches.get(i).size() + " events was answered " + j);
          }
          stored += j.path("stored").asLong();
        }
      }
      Map<String, Long> counts = new TreeMap<>(cdp.profiles().eventCounts());
      if (stored != n || (expected != null && !counts.equals(expected))) {
        throw new IllegalStateException(String.format("%s on %s stored %d of %d events; per"
            + " name %s, expected %s", variant, kind, stored, n, counts, expected));
      }
      Arrays.sort(latencies);
      long[] cpu = cpuEnd.since(cpuStart);
      Result res = new Result(n / (elapsed / 1e9), percentile(latencies, 0.50) / 1e6,
          percentile(latencies, 0.99) / 1e6, counts, cpu[0] / 1e3 / n, cpu[1] / 1e3 / n,
          cpu[2] / 1e3 / n);
      System.out.printf(Locale.ROOT, "%s %-8s %-8s %,9.0f events/s, p50 %.3f ms, p99 %.3f ms;"
          + " CPU %.2f us/event (server threads %.2f, client threads %.2f)%n",
          kind, r < 0 ? "warm-up" : "round " + r, variant, res.rate, res.p50, res.p99, res.cpu,
          res.server, res.client);
      return res;
    }
  }

  /** Checks the status now; the body is read once the round's clock has stopped. */
  private static byte[] answer(int i, int status, byte[] body) {
    if (status != 200) {
      throw new IllegalStateException("body " + i + " was answered " + status + ": "
          + new String(body, StandardCharsets.UTF_8));
    }
    return body;
  }

  private interface Step {
    void run(int batch) throws Exception;
  }

  /**
   * Runs {@code step} for every batch, batch {@code i} in thread {@code i % threads} in order,
   * noting each one's latency; the wall time from start to the last answer.
   */
  private long timed(int threads, long[] latencies, Step step) throws Exception {
    int count = batches.size();
    if (threads == 1) {
      cpuStart = Cpu.now();
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        long s = System.nanoTime();
        step.run(i);
        latencies[i] = System.nanoTime() - s;
      }
      long elapsed = System.nanoTime() - t0;
      cpuEnd = Cpu.now();
      return elapsed;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      cpuStart = Cpu.now();
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int first = t;
        done.add(pool.submit(() -> {
          for (int i = first; i < count; i += threads) {
            long s = System.nanoTime();
            step.run(i);
            latencies[i] = System.nanoTime() - s;
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("a client thread failed", e.getCause());
        }
      }
      long elapsed = System.nanoTime() - t0;
      cpuEnd = Cpu.now();
      return elapsed;
    } finally {
      pool.shutdown();
    }
  }

  /** A variant's name without its number of client threads: {@code raw} of {@code raw4}. */
  static String base(String variant) {
    int i = variant.length();
    while (i > 0 && Character.isDigit(variant.charAt(i - 1))) {
      i--;
    }
    return variant.substring(0, i);
  }

  /** A variant's number of client threads: 4 of {@code raw4}, 1 of {@code raw}. */
  static int threads(String variant) {
    String digits = variant.substring(base(variant).length());
    return digits.isEmpty() ? 1 : Integer.parseInt(digits);
  }

  /**
   * A kept-alive HTTP/1.1 connection that writes each request (request line, headers and body)
   * in one write and reads the answer's status, {@code Content-Length} and body: the least a
   * client can do, so that the {@code raw} variants' client threads cost almost nothing and the
   * rate shows the server. It reads only what {@link TrackingServer} sends (a length, no chunks)
   * and fails on anything else. Used by one thread at a time.
   */
  private static final class RawConnection implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.InputStream in;
    private final java.io.OutputStream out;
    private final byte[] head;
    byte[] answer = new byte[0];

    RawConnection(int port, boolean gzip) throws IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
      head = ("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nAuthorization: " + AUTHORIZATION
          + "\r\nContent-Type: application/json\r\n"
          + (gzip ? "Content-Encoding: gzip\r\n" : ""))
          .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code body}; returns the answer's status and keeps its body in {@link #answer}. */
    int post(byte[] body) throws IOException {
      return post(body, "");
    }

    /** As {@link #post(byte[])}, with {@code headers} (lines ending in CRLF) added. */
    int post(byte[] body, String headers) throws IOException {
      byte[] length = (headers + "Content-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[head.length + length.length + body.length];
      System.arraycopy(head, 0, request, 0, head.length);
      System.arraycopy(length, 0, request, head.length, length.length);
      System.arraycopy(body, 0, request, head.length + length.length, body.length);
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
        throw new IOException("not an HTTP/1.1 status line: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      int contentLength = -1;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        String name = colon < 0 ? h : h.substring(0, colon).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          contentLength = Integer.parseInt(h.substring(colon + 1).trim());
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          throw new IOException("chunked answers are not read here: " + h);
        }
      }
      if (contentLength < 0) {
        throw new IOException("an answer without Content-Length (status " + code + ")");
      }
      answer = in.readNBytes(contentLength);
      if (answer.length != contentLength) {
        throw new IOException("the connection closed inside an answer");
      }
      return code;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("the connection closed inside an answer's head");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static TrackingEndpoint endpoint(Cdp cdp) {
    return TrackingEndpoint.builder(cdp).writeKey(WRITE_KEY, WorkspaceId.DEFAULT).build();
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static double percentile(long[] sorted, double p) {
    return sorted[(int) Math.round(p * (sorted.length - 1))];
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }
}
