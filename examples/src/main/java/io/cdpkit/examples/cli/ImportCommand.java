package io.cdpkit.examples.cli;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.IngestWarning;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code import FILE --mapping MAPPING}: reads a CSV or JSON-lines file (gzipped or not), turns
 * its rows into events through a {@link Mapping} and ingests them in batches, with a progress
 * bar on standard error and a summary on standard output. Exit code 0 when every event was
 * stored or was a duplicate (rows the mapping skips on purpose are fine), 2 when a row was bad
 * or an event was rejected, 1 when the import could not run or an error (the file breaking
 * off, the store failing) stopped it, after the summary of what was done. Not thread-safe.
 */
@Command(name = "import", sortOptions = false, mixinStandardHelpOptions = true,
    description = "Import a CSV or JSON-lines file (gz too) through a mapping.")
final class ImportCommand implements Callable<Integer> {
  /** The longest batch accepted by --batch. */
  static final int MAX_BATCH = 10_000;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to import.")
  Path file = Path.of("");

  @Option(names = {"-m", "--mapping"}, required = true, paramLabel = "MAPPING",
      description = "A mapping file (JSON), or 'uci' for the shipped UCI Online Retail mapping.")
  String mapping = "";

  @Option(names = "--format", paramLabel = "csv|jsonl",
      description = "The file's format (default: the mapping's, else from the file name).")
  @Nullable String format;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1000",
      description = "Events per ingest call, 1 to " + MAX_BATCH + " (default: ${DEFAULT-VALUE}).")
  int batch = 1000;

  @Option(names = "--fail-fast",
      description = "Stop at the first bad row or rejected event (what was ingested stays).")
  boolean failFast;

  @Option(names = "--max-errors", paramLabel = "N", defaultValue = "20",
      description = "Bad rows and rejections printed one by one; all are counted "
          + "(default: ${DEFAULT-VALUE}).")
  int maxErrors = 20;

  @Mixin StoreOptions store = new StoreOptions();

  private final Env env;

  ImportCommand(Env env) {
    this.env = env;
  }

  /** Stops the import at the first problem under --fail-fast. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stop() {
      super(null, null, false, false);
    }
  }

  @Override
  public Integer call() throws IOException {
    if (batch < 1 || batch > MAX_BATCH) {
      throw new CliException("--batch must be between 1 and " + MAX_BATCH);
    }
    if (maxErrors < 0) {
      throw new CliException("--max-errors must not be negative");
    }
    Mapping m;
    try {
      m = Mapping.load(mapping);
    } catch (MappingException e) {
      throw new CliException(e.getMessage());
    }
    RowSource.Format fmt;
    try {
      fmt = format != null ? RowSource.Format.parse(format, "--format")
          : m.format != null ? m.format : RowSource.Format.guess(file);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    if (!Files.isRegularFile(file)) {
      throw new CliException("FILE " + file + " not found");
    }
    long started = env.clock().millis();
    long total;
    try {
      total = RowSource.estimateRecords(file, fmt);
    } catch (IOException e) {
      total = ProgressListener.UNKNOWN; // only an estimate: reading tells what is wrong
    }
    ProgressBar bar = env.bar(Map.of("read", "rows", "import", "rows", "ingest", "events"));
    Summary sum = new Summary(maxErrors, env.err(), bar::clear);
    @Nullable Exception failure = null;
    try (RowSource source = RowSource.open(file, fmt)) {
      if (fmt == RowSource.Format.CSV) {
        checkHeader(m, source.header());
      }
      try (StoreOptions.Opened opened = store.open()) {
        Conversion conv = new Conversion(m, bad -> {
          sum.bad(bad);
          if (failFast) {
            throw new Stop();
          }
        });
        Ingester ingester = new Ingester(opened, sum, batch);
        try {
          String phase = m.group == null ? "import" : "read";
          bar.progress(phase, 0, total);
          long n = 0;
          while (true) {
            Row row;
            try {
              row = source.next();
            } catch (BadRow bad) {
              conv.unreadable(bad);
              n++;
              continue;
            }
            if (row == null) {
              break;
            }
            ingester.addAll(conv.accept(row), failFast);
            if (++n % 1000 == 0) {
              bar.progress(phase, n, total == ProgressListener.UNKNOWN ? total
                  : Math.max(total, n));
            }
          }
          bar.progress(phase, n, n);
          List<Conversion.Built> grouped = conv.finish();
          ingester.flush(failFast);
          if (!grouped.isEmpty()) {
            ProgressListener p = (phaseName, done, all) -> bar.progress("ingest", done, all);
            ingester.ingestAll(grouped, failFast, p);
          }
        } catch (Stop stop) {
          sum.stopped = true;
        } catch (RuntimeException | IOException e) {
          failure = e; // the summary of what was done comes first, then the error
        } finally {
          bar.finish();
        }
        sum.conversion(conv);
      }
    }
    sum.failed = failure != null;
    sum.print(env.out(), m.name, file, store, env.clock().millis() - started);
    if (failure != null) {
      if (failure instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) failure;
    }
    return sum.ok() ? 0 : 2;
  }

  private static void checkHeader(Mapping m, List<String> header) {
    if (!m.header.isEmpty() && !m.header.equals(header)) {
      throw new CliException("FILE has the header " + header + ", but the mapping expects "
          + m.header);
    }
    Set<String> missing = new LinkedHashSet<>(m.columns());
    missing.removeAll(header);
    if (!missing.isEmpty()) {
      throw new CliException("FILE has no column " + String.join(", ", missing)
          + " (its header: " + header + ")");
    }
  }

  /** Sends events in batches and counts the results. */
  private static final class Ingester {
    private final StoreOptions.Opened opened;
    private final Summary sum;
    private final int size;
    private final List<Conversion.Built> pending = new ArrayList<>();

    Ingester(StoreOptions.Opened opened, Summary sum, int size) {
      this.opened = opened;
      this.sum = sum;
      this.size = size;
    }

    void addAll(List<Conversion.Built> events, boolean failFast) {
      for (Conversion.Built b : events) {
        pending.add(b);
        if (pending.size() >= size) {
          flush(failFast);
        }
      }
    }

    void flush(boolean failFast) {
      if (pending.isEmpty()) {
        return;
      }
      List<Event> events = new ArrayList<>(pending.size());
      pending.forEach(b -> events.add(b.event()));
      BatchResult r = opened.workspace().ingest(events);
      boolean rejected = false;
      for (IngestResult res : r.results()) {
        switch (res.status()) {
          case STORED -> sum.stored++;
          case DUPLICATE -> sum.duplicates++;
          case ERASED -> sum.erased++;
          case REJECTED -> {
            rejected = true;
            sum.rejected(pending.get(res.index()).line(), res.rejection().orElseThrow());
          }
          default -> throw new IllegalStateException("status " + res.status());
        }
        for (IngestWarning w : res.warnings()) {
          sum.warnings.merge(w.kind().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
        }
      }
      pending.clear();
      if (rejected && failFast) {
        throw new Stop();
      }
    }

    void ingestAll(List<Conversion.Built> events, boolean failFast, ProgressListener p) {
      long done = 0;
      p.progress("ingest", 0, events.size());
      for (Conversion.Built b : events) {
        pending.add(b);
        if (pending.size() >= size) {
          flush(failFast);
          done += size;
          p.progress("ingest", done, events.size());
        }
      }
      flush(failFast);
      p.progress("ingest", events.size(), events.size());
    }
  }

  /** The counts of one import, and the bad rows and rejections shown one by one. */
  static final class Summary {
    private final int maxErrors;
    private final PrintWriter err;
    private final Runnable beforeMessage;
    private int shown;
    long stored;
    long duplicates;
    long erased;
    long rejectedEvents;
    boolean stopped;
    boolean failed;
    final Map<String, Long> rejected = new TreeMap<>();
    final Map<String, Long> warnings = new TreeMap<>();
    @Nullable Conversion conv;

    Summary(int maxErrors, PrintWriter err, Runnable beforeMessage) {
      this.maxErrors = maxErrors;
      this.err = err;
      this.beforeMessage = beforeMessage;
    }

    void bad(BadRow bad) {
      show("line " + bad.line() + ": " + bad.column() + " " + bad.reason());
    }

    void rejected(long line, io.cdpkit.core.InvalidEventException e) {
      rejectedEvents++;
      String reason = e.pointer() + " " + e.reason();
      rejected.merge(reason, 1L, Long::sum);
      show("line " + line + ": event rejected: " + reason);
    }

    private void show(String text) {
      if (shown <= maxErrors) {
        beforeMessage.run();
      }
      if (shown < maxErrors) {
        err.println(text);
      } else if (shown == maxErrors) {
        err.println("... more problems are counted in the summary only (--max-errors)");
      }
      shown++;
      err.flush();
    }

    void conversion(Conversion c) {
      this.conv = c;
    }

    boolean ok() {
      return !stopped && !failed && rejectedEvents == 0 && (conv == null
          || (conv.badRows == 0 && conv.groupsRejected == 0));
    }

    void print(PrintWriter out, String mapping, Path file, StoreOptions store, long millis) {
      Conversion c = conv;
      out.println("Imported " + file.getFileName() + " with the mapping '" + mapping
          + "' into workspace " + store.workspace + " at " + store.where()
          + (stopped ? " (stopped at the first problem: --fail-fast)" : "")
          + (failed ? " (stopped by the error below; what was ingested before it stays)" : ""));
      long events = c == null ? 0 : c.eventsByName.values().stream().mapToLong(x -> x).sum();
      if (c != null) {
        line(out, "rows read", c.rows);
        line(out, "rows skipped", c.skipped.values().stream().mapToLong(x -> x).sum());
        c.skipped.forEach((k, v) -> line(out, "  " + k, v));
        line(out, "bad rows", c.badRows);
        c.badByReason.forEach((k, v) -> line(out, "  " + k, v));
        if (c.groupsRejected > 0) {
          line(out, "groups rejected", c.groupsRejected);
          line(out, "  other rows of them", c.rowsInRejectedGroups);
        }
        line(out, "events built", events);
        c.eventsByName.forEach((k, v) -> line(out, "  " + k, v));
      }
      line(out, "events stored", stored);
      line(out, "events duplicate", duplicates);
      line(out, "events rejected", rejectedEvents);
      rejected.forEach((k, v) -> line(out, "  " + k, v));
      if (erased > 0) {
        line(out, "events erased", erased);
      }
      if (!warnings.isEmpty()) {
        line(out, "warnings", warnings.values().stream().mapToLong(x -> x).sum());
        warnings.forEach((k, v) -> line(out, "  " + k, v));
      }
      double seconds = Math.max(millis, 1) / 1000.0;
      out.println(String.format(Locale.ROOT, "%-28s %.1f s (%,d events/s)", "time", seconds,
          Math.round(events / seconds)));
      out.flush();
    }

    private static void line(PrintWriter out, String label, long value) {
      out.println(String.format(Locale.ROOT, "%-28s %d", label + ":", value));
    }
  }
}
