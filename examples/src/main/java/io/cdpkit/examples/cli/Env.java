package io.cdpkit.examples.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a command runs against: its output (results, for pipes), its error stream (progress,
 * problems), the clock of the progress bar, whether the streams are a terminal, and the console
 * to ask for confirmation (null when nobody can answer). Immutable.
 *
 * @param lineEvery the time between progress lines when not on a terminal
 */
record Env(PrintWriter out, PrintWriter err, Clock clock, boolean terminal, Duration lineEvery,
    @Nullable BufferedReader console) {

  /** A progress bar on the error stream with these units per phase. */
  ProgressBar bar(Map<String, String> units) {
    return new ProgressBar(err, clock, terminal, lineEvery, units);
  }
}
