package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {
  static final Instant T0 = Instant.parse("2026-12-06T09:00:00Z");

  @Test
  @DisplayName("a job records its last report and times; closing finishes it and later reports"
      + " are ignored")
  void jobLifecycle() {
    MutableClock clock = new MutableClock(T0);
    ProgressBoard board = new ProgressBoard(clock);
    ProgressBoard.Job job = board.start("refit shop");
    assertThat(board.jobs()).containsExactly(new ProgressBoard.JobStatus("refit shop", "", 0,
        ProgressListener.UNKNOWN, T0, T0, null));
    clock.advance(Duration.ofSeconds(5));
    job.progress("read", 500, ProgressListener.UNKNOWN);
    clock.advance(Duration.ofSeconds(5));
    job.progress("fit", 3, 10);
    assertThat(job.status()).isEqualTo(new ProgressBoard.JobStatus("refit shop", "fit", 3, 10,
        T0, T0.plusSeconds(10), null));
    clock.advance(Duration.ofSeconds(1));
    job.close();
    clock.advance(Duration.ofSeconds(1));
    job.progress("late", 9, 9);
    job.close();
    assertThat(board.jobs()).containsExactly(new ProgressBoard.JobStatus("refit shop", "fit", 3,
        10, T0, T0.plusSeconds(11), T0.plusSeconds(11)));
  }

  @Test
  @DisplayName("the board keeps the last 50 jobs, newest first, dropping finished ones before"
      + " running ones")
  void bounded() {
    ProgressBoard board = new ProgressBoard(new MutableClock(T0));
    ProgressBoard.Job oldestRunning = board.start("running since the start");
    for (int i = 0; i < 60; i++) {
      board.start("job " + i).close();
    }
    List<ProgressBoard.JobStatus> jobs = board.jobs();
    assertThat(jobs).hasSize(ProgressBoard.KEPT);
    assertThat(jobs.get(0).name()).isEqualTo("job 59");
    assertThat(jobs).extracting(ProgressBoard.JobStatus::name)
        .contains("running since the start").doesNotContain("job 0", "job 10");
    oldestRunning.close();
  }

  @Test
  @DisplayName("names: blank, too long or with control characters are refused")
  void names() {
    ProgressBoard board = new ProgressBoard();
    assertThatThrownBy(() -> board.start(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job name");
    assertThatThrownBy(() -> board.start("x".repeat(101)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> board.start("a\nb")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control");
    assertThat(board.jobs()).isEmpty();
  }
}
