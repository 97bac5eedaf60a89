package io.cdpkit.examples.cli;

import io.cdpkit.activation.console.Console;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code console [--port N] [--bind ADDRESS] [--user NAME] [--password-file FILE] [--for
 * DURATION]}: serves the read-only customer-360 console ({@link Console}) on this store until
 * the process is stopped (or for the time given), on 127.0.0.1:8080 unless told otherwise. The
 * password is the first line of {@code --password-file}, else the environment variable
 * {@value #PASSWORD_VARIABLE}, else a random one printed once on the error stream. The store
 * stays locked for other commands while the console runs. Not thread-safe.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Serve the read-only customer-360 console on this store until stopped.")
final class ConsoleCommand implements Callable<Integer> {
  /** The environment variable read for the password when no file is given. */
  static final String PASSWORD_VARIABLE = "CDP_CONSOLE_PASSWORD";

  @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
      description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
  String bind = "127.0.0.1";

  @Option(names = "--user", paramLabel = "NAME", defaultValue = "ops",
      description = "The user name for HTTP Basic auth. Default: ${DEFAULT-VALUE}.")
  String user = "ops";

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "Read the password from the first line of FILE.")
  @Nullable Path passwordFile;

  @Option(names = "--for", paramLabel = "DURATION",
      description = "Stop after this long (ISO 8601, e.g. PT30M). Default: until stopped.")
  @Nullable Duration duration;

  @Mixin StoreOptions store = new StoreOptions();

  private final Env env;

  ConsoleCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new CliException("--port must be within 0 and 65535, was " + port);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new CliException("--for must be a positive duration, was " + duration);
    }
    String password = password();
    try (StoreOptions.Opened opened = store.open()) {
      Console console;
      try {
        console = Console.builder(opened.cdp()).basicAuth(user, password)
            .workspace(opened.workspace().id()).segmentation(opened.segmentation()).build();
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook = new Thread(stopped::countDown, "cdp-console-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try (Console.Server server = console.start(new InetSocketAddress(bind, port))) {
        env.out().println("console at " + server.uri() + " (user " + user + ")");
        env.out().flush();
        if (duration == null) {
          stopped.await();
        } else {
          stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: the JVM is stopping anyway
        }
      }
      env.err().println("console stopped");
    }
    return CdpCli.OK;
  }

  private String password() throws IOException {
    if (passwordFile != null) {
      if (!Files.isRegularFile(passwordFile)) {
        throw new CliException("--password-file " + passwordFile + " not found");
      }
      String first = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst()
          .orElse("").strip();
      if (first.isEmpty()) {
        throw new CliException("--password-file " + passwordFile + ": the first line is empty");
      }
      return first;
    }
    String fromEnv = System.getenv(PASSWORD_VARIABLE);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    byte[] random = new byte[15];
    new SecureRandom().nextBytes(random);
    String generated = HexFormat.of().formatHex(random);
    env.err().println("password for " + user + " (set " + PASSWORD_VARIABLE
        + " or --password-file to choose one): " + generated);
    return generated;
  }
}
