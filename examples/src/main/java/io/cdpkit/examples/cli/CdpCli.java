package io.cdpkit.examples.cli;

import io.cdpkit.core.CdpException;
import io.cdpkit.core.model.Identifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tool: {@code import} a CSV or JSON-lines file through a declarative mapping,
 * {@code export} and {@code erase} a person, {@code segments} with their member counts, on an
 * embedded H2 file store ({@code --db DIR}, default {@code target/cdp-data}) or a PostgreSQL or
 * MariaDB/MySQL database ({@code --jdbc URL}). From the repository root:
 *
 * <pre>
 * mvn -q -pl examples -am package exec:java -DskipTests -Dexample=cli.CdpCli \
 *     -Dexec.args="import ../shared/data/online-retail/online_retail.csv.gz --mapping uci"
 * </pre>
 *
 * Results go to standard output, progress and problems to standard error. Exit codes:
 * {@value #OK} done; {@value #USAGE} the command could not run or an error stopped it (a bad
 * option, a missing file, an unusable mapping, a store that cannot be opened or fails; an
 * import prints the summary of what it did first); {@value #PROBLEMS} an import ran but
 * some rows were bad or events rejected; {@value #NOT_FOUND} nobody holds the identifier (or
 * no such segment).
 *
 * <p>{@link #run} runs a command in-process, for tests and hosts. Stateless; each run opens
 * and closes its own store.
 */
@Command(name = "cdpkit", mixinStandardHelpOptions = true, version = "cdpkit 0.1.0",
    description = "Import events, export and erase people, and count segments in a CDPKit store.")
public final class CdpCli implements Runnable {
  /** Exit code: done. */
  public static final int OK = 0;
  /** Exit code: the command could not run, or an error stopped it (usage, file, store). */
  public static final int USAGE = 1;
  /** Exit code: an import ran, but rows were bad or events rejected (see the summary). */
  public static final int PROBLEMS = 2;
  /** Exit code: nobody holds the identifier, or there is no such segment. */
  public static final int NOT_FOUND = 3;

  private final Env env;

  private CdpCli(Env env) {
    this.env = env;
  }

  /** Runs a command with the process's streams and exits with its code. */
  public static void main(String[] args) {
    // The store's lifecycle lines (schema migrated, store opened) would bury the summary: a
    // command-line run shows warnings and errors only, unless the user asks for more.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    Charset cs = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, cs), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, cs), true);
    boolean terminal = System.console() != null;
    BufferedReader console = terminal
        ? new BufferedReader(new InputStreamReader(System.in, cs)) : null;
    int code = run(new Env(out, err, Clock.systemUTC(), terminal, Duration.ofSeconds(10),
        console), args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command in-process: results to {@code out}, progress (one line every 10 seconds)
   * and problems to {@code err}; never asks for confirmation.
   *
   * @return the exit code ({@link #OK}, {@link #USAGE}, {@link #PROBLEMS}, {@link #NOT_FOUND})
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(new Env(out, err, Clock.systemUTC(), false, Duration.ofSeconds(10), null), args);
  }

  /** Runs one command against an environment. */
  static int run(Env env, String... args) {
    CommandLine cl = new CommandLine(new CdpCli(env));
    cl.addSubcommand(new CommandLine(new ImportCommand(env)));
    cl.addSubcommand(new CommandLine(new ExportCommand(env)));
    cl.addSubcommand(new CommandLine(new EraseCommand(env)));
    CommandLine segments = new CommandLine(new SegmentsCommand(env));
    segments.addSubcommand(new CommandLine(new SegmentsCommand.Evaluate(env)));
    segments.addSubcommand(new CommandLine(new SegmentsCommand.Save(env)));
    segments.addSubcommand(new CommandLine(new SegmentsCommand.Delete(env)));
    cl.addSubcommand(segments);
    cl.addSubcommand(new CommandLine(new ConsoleCommand(env)));
    cl.setOut(env.out());
    cl.setErr(env.err());
    cl.setParameterExceptionHandler((e, a) -> {
      env.err().println("error: " + e.getMessage());
      env.err().println("see: cdpkit " + commandPath(e.getCommandLine()) + "--help");
      env.err().flush();
      return USAGE;
    });
    cl.setExecutionExceptionHandler((e, c, parsed) -> {
      env.err().println("error: " + message(e));
      env.err().flush();
      return USAGE;
    });
    int code = cl.execute(args);
    env.out().flush();
    env.err().flush();
    return code;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this),
        "a command is required: import, export, erase or segments");
  }

  /** The identifier of a command's argument; a CLI error when it cannot be read. */
  static Identifier identifier(String s) {
    try {
      return Identifiers.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private static String commandPath(CommandLine c) {
    StringBuilder b = new StringBuilder();
    for (CommandLine x = c; x != null && x.getParent() != null; x = x.getParent()) {
      b.insert(0, x.getCommandName() + " ");
    }
    return b.toString();
  }

  /** A one-line message: the tool's own and the engine's as they are, others with the type. */
  private static String message(Exception e) {
    if (e instanceof CliException || e instanceof CdpException
        || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
