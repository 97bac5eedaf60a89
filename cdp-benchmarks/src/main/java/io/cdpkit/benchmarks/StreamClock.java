package io.cdpkit.benchmarks;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the benchmark moves along with the event stream it replays, so that "now" for a
 * segment is the time the event happened (the events of a replayed stream arrive as they
 * would live). Thread-safe: one volatile instant.
 */
final class StreamClock extends Clock {
  private volatile Instant now;

  StreamClock(Instant start) {
    this.now = start;
  }

  /** Moves the clock (to any instant, also backwards). */
  void set(Instant instant) {
    this.now = instant;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a stream clock is in UTC");
  }
}
