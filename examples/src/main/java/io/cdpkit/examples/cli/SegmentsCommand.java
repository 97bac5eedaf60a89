package io.cdpkit.examples.cli;

import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.SegmentSnapshot;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.SegmentJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code segments}: the workspace's segments with their member counts (as stored, kept up to
 * date by every ingest); {@code segments save FILE} adds or replaces a definition (JSON, see
 * the segmentation README) and evaluates it over every profile, with a progress bar, {@code segments delete ID} removes one, {@code segments evaluate
 * [ID...]} evaluates them over every profile now, with a progress bar. Not thread-safe.
 */
@Command(name = "segments", mixinStandardHelpOptions = true,
    description = "List segments with their member counts.")
final class SegmentsCommand implements Callable<Integer> {

  @Mixin StoreOptions store = new StoreOptions();

  private final Env env;

  SegmentsCommand(Env env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    try (StoreOptions.Opened opened = store.open()) {
      Segments segments = opened.segments();
      List<SegmentDefinition> all = segments.list();
      if (all.isEmpty()) {
        env.out().println("no segments in workspace " + store.workspace
            + "; add one with: segments save FILE.json");
        return 0;
      }
      PrintWriter out = env.out();
      out.println(String.format(Locale.ROOT, "%-32s %10s  %s", "SEGMENT", "MEMBERS", "NAME"));
      for (SegmentDefinition d : all) {
        out.println(String.format(Locale.ROOT, "%-32s %10d  %s", d.id(),
            segments.size(d.id()), d.name()));
      }
      out.println(all.size() + " segment" + (all.size() == 1 ? "" : "s"));
    }
    return 0;
  }

  /** {@code segments evaluate [ID...]}. */
  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Evaluate segments (all by default) over every profile now.")
  static final class Evaluate implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "0..*", description = "Segments to evaluate.")
    List<String> ids = new ArrayList<>();

    @Mixin StoreOptions store = new StoreOptions();

    private final Env env;

    Evaluate(Env env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      try (StoreOptions.Opened opened = store.open()) {
        Segments segments = opened.segments();
        List<String> which = ids.isEmpty()
            ? segments.list().stream().map(SegmentDefinition::id).toList() : ids;
        if (which.isEmpty()) {
          env.out().println("no segments in workspace " + store.workspace);
          return 0;
        }
        for (String id : which) {
          if (segments.get(id).isEmpty()) {
            throw new CliException("there is no segment " + id + " in workspace "
                + store.workspace);
          }
        }
        ProgressBar bar = env.bar(Map.of("evaluate", "profiles"));
        SegmentSnapshot snap;
        try {
          snap = segments.evaluate(which, bar);
        } finally {
          bar.finish();
        }
        env.out().println("evaluated " + snap.profiles() + " profiles at " + snap.at());
        env.out().println(String.format(Locale.ROOT, "%-32s %10s", "SEGMENT", "MEMBERS"));
        for (String id : which) {
          env.out().println(String.format(Locale.ROOT, "%-32s %10d", id, snap.count(id)));
        }
      }
      return 0;
    }
  }

  /** {@code segments save FILE}. */
  @Command(name = "save", mixinStandardHelpOptions = true,
      description = "Add or replace a segment from its JSON definition.")
  static final class Save implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The definition (JSON).")
    Path file = Path.of("");

    @Mixin StoreOptions store = new StoreOptions();

    private final Env env;

    Save(Env env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(file)) {
        throw new CliException("FILE " + file + " not found");
      }
      String json = Files.readString(file, StandardCharsets.UTF_8);
      try (StoreOptions.Opened opened = store.open()) {
        SegmentDefinition d;
        ProgressBar bar = env.bar(Map.of("recompute", "profiles", "evaluate", "profiles"));
        try {
          d = SegmentJson.read(json);
          opened.segments().save(d, bar);
        } catch (DefinitionValidationException e) {
          throw new CliException("FILE " + file + ": " + e.getMessage());
        } finally {
          bar.finish();
        }
        env.out().println("saved segment " + d.id() + " (" + opened.segments().size(d.id())
            + " members)");
      }
      return 0;
    }
  }

  /** {@code segments delete ID}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a segment.")
  static final class Delete implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The segment.")
    String id = "";

    @Mixin StoreOptions store = new StoreOptions();

    private final Env env;

    Delete(Env env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      try (StoreOptions.Opened opened = store.open()) {
        boolean had;
        try {
          had = opened.segments().delete(id);
        } catch (DefinitionValidationException e) {
          throw new CliException(e.getMessage());
        }
        if (!had) {
          env.err().println("there is no segment " + id + " in workspace " + store.workspace);
          return CdpCli.NOT_FOUND;
        }
        env.out().println("deleted segment " + id);
      }
      return 0;
    }
  }
}
