package io.cdpkit.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The progress of long jobs, kept where a dashboard can read it: the console's jobs page
 * shows a board, and a job reports to it through the library's one progress type.
 *
 * <pre>{@code
 * ProgressBoard board = new ProgressBoard();
 * try (ProgressBoard.Job job = board.start("purchase models, shop")) {
 *   predictions.fit(shop, job);                      // a Job is a ProgressListener
 * }
 * board.jobs();                                      // newest first, what the console shows
 * }</pre>
 *
 * <p>A job is running until it is closed. The board keeps the last {@value #KEPT} jobs it was
 * given, running or not (the oldest finished ones are dropped first). Names are the host's
 * labels and are shown as they are: put no personal data in them. Thread-safe.
 */
public final class ProgressBoard {
  /** How many jobs the board keeps: {@value}. */
  public static final int KEPT = 50;
  /** The longest job name, in characters: {@value}. */
  public static final int MAX_NAME = 100;

  private final Clock clock;
  private final Deque<Job> jobs = new ArrayDeque<>();

  /** A board on the system clock. */
  public ProgressBoard() {
    this(Clock.systemUTC());
  }

  /** A board whose times come from {@code clock}. */
  public ProgressBoard(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Starts a job: report its progress to the returned {@link Job}, and close it when done.
   *
   * @throws IllegalArgumentException when the name is blank, longer than {@value #MAX_NAME}
   *     characters or holds a control character
   */
  public Job start(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("job name must be 1 to " + MAX_NAME
          + " characters, not blank");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException("job name must not hold control characters");
      }
    }
    Job job = new Job(name, clock.instant());
    synchronized (jobs) {
      jobs.addFirst(job);
      while (jobs.size() > KEPT) {
        Job drop = null;
        for (var it = jobs.descendingIterator(); it.hasNext(); ) {
          Job j = it.next();
          if (j.status().finished() != null) {
            drop = j;
            break;
          }
        }
        jobs.remove(drop != null ? drop : jobs.peekLast());
      }
    }
    return job;
  }

  /** The jobs kept, newest first, as they stand now. */
  public List<JobStatus> jobs() {
    List<JobStatus> out = new ArrayList<>();
    synchronized (jobs) {
      for (Job j : jobs) {
        out.add(j.status());
      }
    }
    return out;
  }

  /**
   * What a job last reported.
   *
   * @param name the host's label
   * @param phase the last phase reported, empty before the first report
   * @param done the count of that phase
   * @param total the total of that phase, or {@link ProgressListener#UNKNOWN}
   * @param started when the job was started
   * @param updated when it last reported (or started)
   * @param finished when it was closed; null while it runs
   */
  public record JobStatus(String name, String phase, long done, long total, Instant started,
      Instant updated, @Nullable Instant finished) {}

  /** One job: a {@link ProgressListener} that records on the board. Thread-safe. */
  public final class Job implements ProgressListener, AutoCloseable {
    private final String name;
    private final Instant started;
    private String phase = "";
    private long done;
    private long total = UNKNOWN;
    private Instant updated;
    private @Nullable Instant finished;

    private Job(String name, Instant started) {
      this.name = name;
      this.started = started;
      this.updated = started;
    }

    /** Records a report; reports after {@link #close()} are ignored. */
    @Override
    public synchronized void progress(String phase, long done, long total) {
      Objects.requireNonNull(phase, "phase");
      if (finished != null) {
        return;
      }
      this.phase = phase;
      this.done = done;
      this.total = total;
      this.updated = clock.instant();
    }

    /** Marks the job finished. Closing again does nothing. */
    @Override
    public synchronized void close() {
      if (finished == null) {
        finished = clock.instant();
        updated = finished;
      }
    }

    /** What the job last reported. */
    public synchronized JobStatus status() {
      return new JobStatus(name, phase, done, total, started, updated, finished);
    }
  }
}
