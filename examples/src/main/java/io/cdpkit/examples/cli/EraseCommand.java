package io.cdpkit.examples.cli;

import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.model.Identifier;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code erase IDENTIFIER --yes}: erases the person who holds the identifier
 * ({@link io.cdpkit.core.Privacy#erase}) and prints what was removed. Without {@code --yes} it
 * asks on the console, and refuses (exit code 1) when there is no console to ask. Not
 * thread-safe.
 */
@Command(name = "erase", mixinStandardHelpOptions = true,
    description = "Erase a person (cannot be undone).")
final class EraseCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IDENTIFIER",
      description = "TYPE:VALUE, e.g. email:jane@example.com or user:c17850.")
  String identifier = "";

  @Option(names = {"-y", "--yes"}, description = "Erase without asking.")
  boolean yes;

  @Mixin StoreOptions store = new StoreOptions();

  private final Env env;

  EraseCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    Identifier id = CdpCli.identifier(identifier);
    if (!yes) {
      if (env.console() == null) {
        throw new CliException("erase needs --yes when it cannot ask (no console)");
      }
      env.err().print("Erase everything held about the person with this " + id.type().id()
          + " in workspace " + store.workspace + "? It cannot be undone. Type yes: ");
      env.err().flush();
      String answer = env.console().readLine();
      if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).equals("yes")) {
        env.err().println("not erased");
        return CdpCli.USAGE;
      }
    }
    ErasureReport r;
    try (StoreOptions.Opened opened = store.open()) {
      r = opened.workspace().privacy().erase(id);
    }
    if (r.erasedProfile().isEmpty()) {
      env.out().println("nobody held it; a tombstone was written, so its events stamped up to "
          + r.erasedAt() + " are dropped when they arrive");
      return 0;
    }
    env.out().println("erased at " + r.erasedAt() + ": profiles " + r.profiles()
        + ", identifiers " + r.identifiers() + ", events " + r.events() + ", links "
        + r.links() + ", ledger entries " + r.ledgerEntries() + ", memberships "
        + r.memberships() + ", outbox entries " + r.outboxEntries() + ", deliveries "
        + r.deliveries() + ", review items " + r.reviewItems());
    return 0;
  }
}
