package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.ProgressListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  /** A clock the test moves. */
  static final class FakeClock extends Clock {
    private Instant now = Instant.parse("2026-12-06T08:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final FakeClock clock = new FakeClock();
  private final StringWriter text = new StringWriter();

  private ProgressBar bar(boolean terminal) {
    return new ProgressBar(new PrintWriter(text), clock, terminal, Duration.ofSeconds(10),
        Map.of("read", "rows", "evaluate", "profiles"));
  }

  @Test
  @DisplayName("a known total shows count, percentage, bar, rate since the phase began and "
      + "the time left at that rate")
  void knownTotal() {
    assertThat(bar(false).render("read", 500, 1_000, 500, Duration.ofSeconds(5))).isEqualTo(
        "read     500/1,000 rows  50% [##########          ]  100 rows/s  0:05 left");
    assertThat(bar(false).render("read", 1_000, 3_601_000, 1_000, Duration.ofSeconds(1))).isEqualTo(
        "read     1,000/3,601,000 rows   0% [                    ]  1,000 rows/s  1:00:00 left");
    assertThat(bar(false).render("read", 7, 7, 7, Duration.ofMillis(3_500)))
        .isEqualTo("read     7/7 rows 100% [####################]  2 rows/s");
  }

  @Test
  @DisplayName("the rate counts only what was done since the phase's first report")
  void rateSinceFirstReport() {
    assertThat(bar(false).render("read", 5_000, 10_000, 1_000, Duration.ofSeconds(10)))
        .isEqualTo("read     5,000/10,000 rows  50% [##########          ]  100 rows/s  0:50 left");
  }

  @Test
  @DisplayName("an unknown total shows count and rate; nothing is made up before time passes")
  void unknownTotal() {
    assertThat(bar(false).render("evaluate", 4_000, ProgressListener.UNKNOWN, 4_000,
        Duration.ofSeconds(2))).isEqualTo("evaluate 4,000 profiles  2,000 profiles/s");
    assertThat(bar(false).render("evaluate", 0, ProgressListener.UNKNOWN, 0, Duration.ZERO))
        .isEqualTo("evaluate 0 profiles");
    assertThat(bar(false).render("other", 3, 10, 3, Duration.ZERO))
        .isEqualTo("other    3/10 items  30% [######              ]");
  }

  @Test
  @DisplayName("in a log: a line every 10 seconds and one when the phase ends, no \\r")
  void lines() {
    ProgressBar b = bar(false);
    b.progress("read", 0, 2_500);
    for (int i = 1; i <= 25; i++) {
      clock.advance(Duration.ofSeconds(1));
      b.progress("read", i * 100L, 2_500);
    }
    b.finish();
    assertThat(text.toString()).doesNotContain("\r").isEqualTo(
        "read     1,000/2,500 rows  40% [########            ]  100 rows/s  0:15 left\n"
            + "read     2,000/2,500 rows  80% [################    ]  100 rows/s  0:05 left\n"
            + "read     2,500/2,500 rows 100% [####################]  100 rows/s\n");
  }

  @Test
  @DisplayName("a phase with an unknown total gets its last count when it ends or the next "
      + "phase starts")
  void finishUnknown() {
    ProgressBar b = bar(false);
    clock.advance(Duration.ofSeconds(2));
    b.progress("evaluate", 10, ProgressListener.UNKNOWN);
    b.progress("read", 0, 5);
    clock.advance(Duration.ofSeconds(1));
    b.progress("read", 5, 5);
    b.finish();
    b.finish();
    assertThat(text.toString()).isEqualTo("evaluate 10 profiles\n"
        + "read     5/5 rows 100% [####################]  5 rows/s\n");
  }

  @Test
  @DisplayName("on a terminal: redrawn in place with \\r at most every 200 ms, a shorter line "
      + "clears the longer one, a new line when the phase ends")
  void terminal() {
    ProgressBar b = bar(true);
    clock.advance(Duration.ofMillis(100));
    b.progress("evaluate", 1_000_000, ProgressListener.UNKNOWN);
    clock.advance(Duration.ofMillis(300));
    b.progress("evaluate", 2_000_000, ProgressListener.UNKNOWN);
    clock.advance(Duration.ofMillis(100));
    b.progress("evaluate", 2_000_001, ProgressListener.UNKNOWN);
    clock.advance(Duration.ofMillis(999_600));
    b.progress("evaluate", 2_000_001, ProgressListener.UNKNOWN);
    b.finish();
    String first = "evaluate 1,000,000 profiles";
    String fast = "evaluate 2,000,000 profiles  3,333,333 profiles/s";
    String slow = "evaluate 2,000,001 profiles  1,000 profiles/s";
    assertThat(text.toString()).isEqualTo("\r" + first + "\r" + fast + "\r" + slow
        + " ".repeat(fast.length() - slow.length()) + "\n");
  }

  @Test
  @DisplayName("clear() wipes the terminal line for a message and the next report redraws")
  void clear() {
    ProgressBar b = bar(true);
    b.progress("read", 0, 10);
    b.clear();
    b.clear();
    b.progress("read", 1, 10);
    String first = "read     0/10 rows   0% [                    ]";
    String second = "read     1/10 rows  10% [##                  ]";
    assertThat(text.toString()).isEqualTo("\r" + first + "\r" + " ".repeat(first.length())
        + "\r" + "\r" + second);
    StringWriter log = new StringWriter();
    ProgressBar lines = new ProgressBar(new PrintWriter(log), clock, false, Duration.ofSeconds(10),
        Map.of());
    lines.progress("read", 0, 10);
    lines.clear();
    assertThat(log.toString()).isEmpty();
  }
}
