package io.cdpkit.examples.cli;

import io.cdpkit.core.ProgressListener;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Shows a long job's progress on a terminal or in a log: per phase, the count done (of the
 * total, when known, with a bar and a percentage), the rate since the phase began and the
 * remaining time at that rate. The rate counts from the phase's first report, so a job reports
 * {@code done = 0} when it starts a phase.
 *
 * <pre>
 * read     120,000/541,909 rows   22% [####                ] 40,000 rows/s  0:10 left
 * evaluate 4,000 profiles  2,000 profiles/s
 * </pre>
 *
 * On a terminal the line is redrawn in place ({@code \r}) at most every
 * {@link #TERMINAL_REDRAW}; otherwise a new line is written at most every {@code lineEvery}
 * (and when a phase ends), so logs stay short. Lines hold counts and phase names only, never
 * data. The time comes from the given clock.
 *
 * <p>Not thread-safe: called on the thread running the job, as {@link ProgressListener} says.
 */
final class ProgressBar implements ProgressListener {
  /** The shortest time between two redraws on a terminal. */
  static final Duration TERMINAL_REDRAW = Duration.ofMillis(200);
  private static final int WIDTH = 20;

  private final PrintWriter err;
  private final Clock clock;
  private final boolean terminal;
  private final long everyMillis;
  private final Map<String, String> units;
  private @Nullable String phase;
  private long phaseStart;
  private long startDone;
  private long lastDraw;
  private long done;
  private long total;
  private boolean drawnSinceUpdate;
  private int lastLength;

  /**
   * @param err where the bar goes (standard error)
   * @param terminal whether err is a terminal (redraw in place) or a file or pipe (lines)
   * @param lineEvery the time between lines when not a terminal
   * @param units the unit shown per phase ({@code "read" -> "rows"}); "items" otherwise
   */
  ProgressBar(PrintWriter err, Clock clock, boolean terminal, Duration lineEvery,
      Map<String, String> units) {
    this.err = err;
    this.clock = clock;
    this.terminal = terminal;
    this.everyMillis = terminal ? TERMINAL_REDRAW.toMillis() : lineEvery.toMillis();
    this.units = Map.copyOf(units);
  }

  @Override
  public void progress(String phase, long done, long total) {
    long now = clock.millis();
    if (!phase.equals(this.phase)) {
      finish();
      this.phase = phase;
      this.phaseStart = now;
      this.startDone = done;
      this.lastDraw = terminal ? now - everyMillis : now;
      this.lastLength = 0;
    }
    this.done = done;
    this.total = total;
    drawnSinceUpdate = false;
    boolean complete = total != UNKNOWN && done >= total;
    if (complete || now - lastDraw >= everyMillis) {
      draw(now);
    }
  }

  /** Ends the current phase's line with its final counts; the next phase starts afresh. */
  void finish() {
    if (phase == null) {
      return;
    }
    if (!drawnSinceUpdate) {
      draw(clock.millis());
    }
    if (terminal) {
      err.print('\n');
      err.flush();
    }
    phase = null;
  }

  /**
   * Clears the line drawn on a terminal, so a message can be written on a line of its own; the
   * next report draws the bar again. Does nothing when not on a terminal.
   */
  void clear() {
    if (terminal && lastLength > 0) {
      err.print("\r" + " ".repeat(lastLength) + "\r");
      err.flush();
      lastLength = 0;
      lastDraw = clock.millis() - everyMillis;
    }
  }

  private void draw(long now) {
    String line = render(phase, done, total, done - startDone,
        Duration.ofMillis(now - phaseStart));
    if (terminal) {
      int pad = Math.max(0, lastLength - line.length());
      err.print("\r" + line + " ".repeat(pad));
      lastLength = line.length();
    } else {
      err.println(line);
    }
    err.flush();
    lastDraw = now;
    drawnSinceUpdate = true;
  }

  /**
   * One line of the bar: counts, percentage and bar when the total is known, rate, time left.
   *
   * @param recent the units done in {@code elapsed}: since the phase's first report
   */
  String render(@Nullable String phase, long done, long total, long recent, Duration elapsed) {
    String unit = units.getOrDefault(phase, "items");
    StringBuilder b = new StringBuilder(96);
    b.append(String.format(Locale.ROOT, "%-8s ", phase));
    if (total == UNKNOWN) {
      b.append(String.format(Locale.ROOT, "%,d %s", done, unit));
    } else {
      long shown = Math.min(done, total);
      int percent = total == 0 ? 100 : (int) (shown * 100 / total);
      int filled = total == 0 ? WIDTH : (int) (shown * WIDTH / total);
      b.append(String.format(Locale.ROOT, "%,d/%,d %s %3d%% [%s%s]", done, total, unit, percent,
          "#".repeat(filled), " ".repeat(WIDTH - filled)));
    }
    long millis = elapsed.toMillis();
    if (millis > 0 && recent > 0) {
      double rate = recent * 1000.0 / millis;
      b.append(String.format(Locale.ROOT, "  %,d %s/s", Math.round(rate), unit));
      if (total != UNKNOWN && done < total) {
        long left = (long) Math.ceil((total - done) / rate);
        b.append("  ").append(clockTime(left)).append(" left");
      }
    }
    return b.toString();
  }

  /** Seconds as m:ss, or h:mm:ss from an hour. */
  static String clockTime(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
