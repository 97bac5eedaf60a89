package io.cdpkit.examples.cli;

import io.cdpkit.core.model.Identifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export IDENTIFIER [--out FILE]}: everything held about the person who holds the
 * identifier, as the privacy export's JSON ({@link io.cdpkit.core.Privacy#export}), on standard
 * output or in a file. Exit code 3 when nobody holds it. Not thread-safe.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Print everything held about a person as JSON.")
final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IDENTIFIER",
      description = "TYPE:VALUE, e.g. email:jane@example.com or user:c17850.")
  String identifier = "";

  @Option(names = {"-o", "--out"}, paramLabel = "FILE",
      description = "Write the JSON to FILE (replaced) instead of standard output.")
  @Nullable Path out;

  @Mixin StoreOptions store = new StoreOptions();

  private final Env env;

  ExportCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    Identifier id = CdpCli.identifier(identifier);
    Optional<String> json;
    try (StoreOptions.Opened opened = store.open()) {
      json = opened.workspace().privacy().export(id);
    }
    if (json.isEmpty()) {
      env.err().println("nobody in workspace " + store.workspace + " holds that "
          + id.type().id());
      return CdpCli.NOT_FOUND;
    }
    if (out != null) {
      Files.writeString(out, json.get() + "\n", StandardCharsets.UTF_8);
      env.err().println("written to " + out);
    } else {
      env.out().println(json.get());
    }
    return 0;
  }
}
