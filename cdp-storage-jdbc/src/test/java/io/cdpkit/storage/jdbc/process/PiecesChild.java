package io.cdpkit.storage.jdbc.process;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.traits.RetailTraits;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The child JVM of {@link MergeAcrossNodesTest}: ingests its share of a {@link Pieces} stream
 * into a JDBC store, in singles and small batches, and writes the profile each stored event
 * went to.
 *
 * <pre>
 * PiecesChild URL USER SEED PEOPLE EVENTS NODE NODES OUT
 *     connects, prints READY, waits for a line on stdin, then ingests the events
 *     {@link #share} gives node NODE, in the order {@link #share} gives it; writes one line
 *     "messageId profileId" per stored event to the file OUT, then prints DONE.
 * </pre>
 */
public final class PiecesChild {
  private PiecesChild() {}

  /**
   * The events node {@code node} of {@code nodes} ingests: each event belongs to one node drawn
   * at random, and every seventh event to all of them (duplicates, which must be stored once).
   * Node 0 ingests its share in stream order, node 1 backwards, the others shuffled.
   */
  static List<Event> share(List<Event> stream, long seed, int node, int nodes) {
    Random owners = new Random(seed * 17 + 1);
    List<Event> mine = new ArrayList<>();
    for (int i = 0; i < stream.size(); i++) {
      int owner = owners.nextInt(nodes);
      if (owner == node || i % 7 == 0) {
        mine.add(stream.get(i));
      }
    }
    if (node == 1) {
      Collections.reverse(mine);
    } else if (node > 1) {
      Collections.shuffle(mine, new Random(seed + node));
    }
    return mine;
  }

  /** The clock of every instance in the test: fixed a day after the stream's last event. */
  static Clock clock(int events) {
    return Clock.fixed(Pieces.end(events).plusSeconds(86_400), ZoneOffset.UTC);
  }

  /** The instance every node and the reference run: the retail trait pack, the fixed clock. */
  static Cdp.Builder cdp(int events) {
    return Cdp.builder().clock(clock(events)).computedTraits(RetailTraits.all());
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    long seed = Long.parseLong(args[2]);
    int people = Integer.parseInt(args[3]);
    int events = Integer.parseInt(args[4]);
    int node = Integer.parseInt(args[5]);
    int nodes = Integer.parseInt(args[6]);
    List<Event> mine = share(Pieces.stream(seed, people, events), seed, node, nodes);
    List<String> stored = new ArrayList<>();
    try (HikariDataSource ds = pool(args[0], args[1]);
        JdbcStore store = JdbcStore.builder().dataSource(ds).build();
        Cdp cdp = cdp(events).store(store).build()) {
      out.println("READY");
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      Random r = new Random(seed * 31 + node);
      int i = 0;
      while (i < mine.size()) {
        int to = Math.min(mine.size(), i + 1 + r.nextInt(8));
        List<IngestResult> results = to - i == 1 ? List.of(cdp.ingest(mine.get(i)))
            : cdp.ingest(mine.subList(i, to)).results();
        for (IngestResult result : results) {
          if (result.status() == IngestResult.Status.REJECTED) {
            throw new IllegalStateException("rejected: " + result.error());
          }
          if (result.isStored()) {
            stored.add(result.messageId() + " " + result.profile().orElseThrow().value());
          }
        }
        i = to;
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(Path.of(args[7]))) {
      for (String line : stored) {
        w.write(line);
        w.newLine();
      }
    }
    out.println("DONE");
  }

  private static HikariDataSource pool(String url, String user) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setMaximumPoolSize(2);
    return new HikariDataSource(cfg);
  }
}
