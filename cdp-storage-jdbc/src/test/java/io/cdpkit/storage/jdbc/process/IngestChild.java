package io.cdpkit.storage.jdbc.process;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The child JVM of {@link CrashTest} and {@link MultiNodeTest}: ingests part of a
 * {@link Shoppers} stream, in singles and small batches, and reports on stdout.
 *
 * <pre>
 * IngestChild h2 DIR SEED SHOPPERS EVENTS FROM
 *     ingests events FROM.. into the H2 file store in DIR; prints READY, then "ACK n" after
 *     each commit (every event before n is acknowledged), then DONE.
 * IngestChild jdbc URL USER SEED SHOPPERS EVENTS NODE NODES
 *     waits for a line on stdin, then ingests its share of the stream (event i when
 *     i % NODES == NODE, and every 5th event by every node), then prints DONE.
 * IngestChild open URL USER
 *     connects, prints READY, waits for a line on stdin, opens a store (migrating the schema),
 *     then prints DONE.
 * </pre>
 */
public final class IngestChild {
  private IngestChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (args[0].equals("h2") || args[0].equals("h2rows")) {
      long seed = Long.parseLong(args[2]);
      List<Event> events = Shoppers.stream(seed, Integer.parseInt(args[3]),
          Integer.parseInt(args[4]));
      int from = Integer.parseInt(args[5]);
      try (JdbcStore store = CrashTest.open(args[0], Path.of(args[1]));
          Cdp cdp = Cdp.builder().store(store).build()) {
        out.println("READY");
        Random r = new Random(seed + from);
        int i = from;
        while (i < events.size()) {
          int n = r.nextBoolean() ? 1 : 1 + r.nextInt(12);
          int to = Math.min(events.size(), i + n);
          if (to - i == 1) {
            check(cdp.ingest(events.get(i)));
          } else {
            check(cdp.ingest(events.subList(i, to)));
          }
          i = to;
          out.println("ACK " + i);
        }
      }
      out.println("DONE");
    } else if (args[0].equals("open")) {
      try (HikariDataSource ds = pool(args[1], args[2])) {
        ds.getConnection().close();
        out.println("READY");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        JdbcStore.builder().dataSource(ds).build().close();
      }
      out.println("DONE");
    } else {
      long seed = Long.parseLong(args[3]);
      List<Event> events = Shoppers.stream(seed, Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      int node = Integer.parseInt(args[6]);
      int nodes = Integer.parseInt(args[7]);
      try (HikariDataSource ds = pool(args[1], args[2]);
          JdbcStore store = JdbcStore.builder().dataSource(ds).build();
          Cdp cdp = Cdp.builder().store(store).build()) {
        out.println("READY");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        Random r = new Random(seed * 31 + node);
        List<Event> mine = new java.util.ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
          if (i % nodes == node || i % 5 == 0) {
            mine.add(events.get(i));
          }
        }
        int i = 0;
        while (i < mine.size()) {
          int to = Math.min(mine.size(), i + 1 + r.nextInt(8));
          if (to - i == 1) {
            cdp.ingest(mine.get(i));
          } else {
            cdp.ingest(mine.subList(i, to));
          }
          i = to;
        }
      }
      out.println("DONE");
    }
  }

  private static HikariDataSource pool(String url, String user) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setMaximumPoolSize(2);
    return new HikariDataSource(cfg);
  }

  private static void check(IngestResult r) {
    if (r.status() == IngestResult.Status.REJECTED) {
      throw new IllegalStateException("rejected: " + r.error());
    }
  }

  private static void check(BatchResult r) {
    if (r.rejected() > 0) {
      throw new IllegalStateException("rejected " + r.rejected());
    }
  }
}
