package io.cdpkit.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of a database server on this machine, read from Linux's {@code /proc}: the user and
 * system time of every process whose command name starts with the server's ({@code postgres},
 * {@code mariadbd}). A server's backends come and go with its connections, so a reading keeps
 * the last figure of each process it has seen ({@link #poll}): call it before a connection
 * closes (after the timed part of a round) to count that backend. Elsewhere (no {@code /proc},
 * another machine's server) every reading is 0. A benchmark helper, not a library type.
 */
final class ServerCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final String command;
  private final Map<String, Long> first = new HashMap<>();
  private final Map<String, Long> last = new HashMap<>();

  private ServerCpu(String command) {
    this.command = command;
  }

  /** A reader for the server a benchmark store kind talks to, or for none (reads 0). */
  static ServerCpu of(String kind) {
    ServerCpu c = new ServerCpu(switch (kind) {
      case "postgres" -> "postgres";
      case "mariadb" -> "mariadbd";
      default -> "";
    });
    c.read(c.first);
    c.last.putAll(c.first);
    return c;
  }

  /**
   * The CPU time of a timed part, from {@link #start} on: the calling thread's, this JVM's (all
   * its threads: the collector's and the compiler's too) and the server's (for a server on this
   * machine).
   */
  static final class Round {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final ServerCpu server;
    private final long threadStart;
    private final long allocatedStart;
    private final long processStart;

    private Round(ServerCpu server) {
      this.server = server;
      this.threadStart = THREADS.getCurrentThreadCpuTime();
      this.allocatedStart = allocated();
      this.processStart = processCpuNanos();
    }

    /** The CPU time of this JVM so far (all threads), or 0 where the platform does not tell. */
    private static long processCpuNanos() {
      return ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    /**
     * The bytes the calling thread has allocated so far (HotSpot's count), or -1 on a JVM
     * without it. Unlike CPU time, the same build allocates about the same per event from run
     * to run, whatever the machine's load and the size of the young generation.
     */
    private static long allocated() {
      return THREADS instanceof com.sun.management.ThreadMXBean t
          ? t.getCurrentThreadAllocatedBytes() : -1;
    }

    /** Starts timing now, for a store of benchmark kind {@code kind}. */
    static Round start(String kind) {
      return new Round(of(kind));
    }

    /** The CPU time per event since {@link #start}, over {@code events} events, as text. */
    String perEvent(int events) {
      double thread = (THREADS.getCurrentThreadCpuTime() - threadStart) / 1e3 / events;
      double jvm = (processCpuNanos() - processStart) / 1e3 / events;
      double db = server.poll() * 1e6 / events;
      long allocated = allocated();
      return String.format("CPU per event: ingest thread %.1f µs (this JVM %.1f µs), server %.1f"
          + " µs; ingest thread allocated %,.0f bytes per event", thread, jvm, db,
          allocatedStart < 0 ? Double.NaN : (allocated - allocatedStart) / (double) events);
    }

    /**
     * The CPU time per event since {@link #start} of this JVM and of the server, as text: for a
     * timed part that other threads did, where the calling thread's own time says nothing.
     */
    String perEventAllThreads(int events) {
      return String.format("CPU per event: this JVM %.1f µs, server %.1f µs",
          (processCpuNanos() - processStart) / 1e3 / events, server.poll() * 1e6 / events);
    }
  }

  /** Reads every matching process again; returns the CPU seconds since this reader was made. */
  double poll() {
    read(last);
    double ticks = 0;
    for (Map.Entry<String, Long> e : last.entrySet()) {
      ticks += e.getValue() - first.getOrDefault(e.getKey(), 0L);
    }
    return ticks / TICKS_PER_SECOND;
  }

  private void read(Map<String, Long> into) {
    if (command.isEmpty()) {
      return;
    }
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException | RuntimeException gone) {
          continue; // the process ended meanwhile
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open || !stat.startsWith(command, open + 1)) {
          continue;
        }
        // after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime (fields 14 and 15 of proc(5))
        String[] f = stat.substring(close + 2).split(" ");
        into.put(p.getFileName().toString() + ":" + f[19],
            Long.parseLong(f[11]) + Long.parseLong(f[12]));
      }
    } catch (IOException | RuntimeException noProc) {
      // not Linux, or /proc unreadable: readings stay 0
    }
  }
}
