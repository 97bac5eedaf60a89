package io.cdpkit.examples;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.Duplicates;
import io.cdpkit.core.dedup.FieldKind;
import io.cdpkit.core.dedup.FieldSource;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Measures duplicate detection on Febrl files (person records with known duplicates, see
 * {@code ../shared/data/README.md}) as a host would run it: ingests every record into an
 * in-memory {@link Cdp} as an identify event (anonymousId = rec_id, the columns as traits, the
 * street number and street as one {@code street} trait), configures
 * {@code workspace.duplicates()} with the {@link DedupSettings#defaults() defaults} plus the
 * file's own columns (address line 2, state, social security id), runs the batch pass, which
 * links the pairs at or above the default link threshold through the identity graph, and prints
 * one line:
 *
 * <pre>
 * pairs=&lt;true pairs&gt; predicted=&lt;n&gt; precision=&lt;p&gt; recall=&lt;r&gt;
 *   f1=&lt;f&gt; seconds=&lt;s&gt;   (one line)
 * </pre>
 *
 * where predicted counts the pairs of records that ended in one profile (auto-linked, directly
 * or through a third record), the truth is that records sharing their {@code rec-N} prefix are
 * the same person, and seconds is the time of the batch pass (reading the profiles, learning the
 * model, scoring and linking). Several files are read as one set of records
 * ({@code dataset4a.csv dataset4b.csv} together).
 *
 * <p>Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=DedupEvaluation -Dexec.args="../shared/data/febrl/dataset1.csv"}. Stateless.
 */
public final class DedupEvaluation {
  private static final List<FieldSource> OWN_COLUMNS = List.of(
      FieldSource.of(MatchField.custom("address_2", FieldKind.TEXT, false), "address_2"),
      FieldSource.of(MatchField.custom("state", FieldKind.CATEGORY, false), "state"),
      FieldSource.of(MatchField.custom("soc_sec_id", FieldKind.CODE, false), "soc_sec_id"));
  private static final List<String> COLUMNS = List.of("rec_id", "given_name", "surname",
      "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth",
      "soc_sec_id");

  private DedupEvaluation() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: DedupEvaluation FILE.csv [FILE.csv ...]");
      System.exit(2);
    }
    List<Path> files = new ArrayList<>();
    for (String a : args) {
      for (String part : a.trim().split("\\s+")) {
        files.add(Path.of(part));
      }
    }
    run(System.out, files);
  }

  /** The measures of one evaluation. */
  record Outcome(long truePairs, long predicted, long truePositives, double seconds) {
    double precision() {
      return predicted == 0 ? 0 : (double) truePositives / predicted;
    }

    double recall() {
      return truePairs == 0 ? 0 : (double) truePositives / truePairs;
    }

    double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    String line() {
      return String.format(Locale.ROOT,
          "pairs=%d predicted=%d precision=%.4f recall=%.4f f1=%.4f seconds=%.4f",
          truePairs, predicted, precision(), recall(), f1(), seconds);
    }
  }

  /** Evaluates these files taken together, printing the one line to out. */
  static Outcome run(PrintStream out, List<Path> files) throws IOException {
    List<Map<String, String>> rows = new ArrayList<>();
    for (Path file : files) {
      rows.addAll(read(file));
    }
    Map<String, Long> group = new HashMap<>();
    for (Map<String, String> row : rows) {
      group.merge(person(row.get("rec_id")), 1L, Long::sum);
    }
    long truePairs = group.values().stream().mapToLong(k -> k * (k - 1) / 2).sum();
    long predicted = 0;
    long tp = 0;
    double seconds;
    try (Cdp cdp = Cdp.builder().build()) {
      List<Event> batch = new ArrayList<>();
      int n = 0;
      for (Map<String, String> row : rows) {
        Event.Builder e = Event.identify().messageId("febrl-" + n++)
            .anonymousId(row.get("rec_id"));
        for (String column : List.of("given_name", "surname", "address_2", "postcode", "state",
            "date_of_birth", "soc_sec_id")) {
          trait(e, column, row.get(column));
        }
        trait(e, "street", join(row.get("address_1"), row.get("street_number")));
        trait(e, "city", row.get("suburb"));
        batch.add(e.build());
        if (batch.size() == 500) {
          ingest(cdp, batch);
        }
      }
      ingest(cdp, batch);
      Duplicates dups = cdp.workspace(WorkspaceId.DEFAULT).duplicates();
      DedupSettings.Builder settings = DedupSettings.builder();
      OWN_COLUMNS.forEach(settings::field);
      dups.configure(settings.build());
      long start = System.nanoTime();
      dups.detect();
      seconds = (System.nanoTime() - start) / 1e9;

      ProfileId after = null;
      for (List<Profile> page; !(page = cdp.profiles().list(after, 1_000)).isEmpty(); ) {
        for (Profile p : page) {
          List<String> ids = p.identifiers(IdentifierType.ANONYMOUS_ID).stream()
              .map(Identifier::value).sorted().toList();
          for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
              predicted++;
              if (person(ids.get(i)).equals(person(ids.get(j)))) {
                tp++;
              }
            }
          }
        }
        after = page.get(page.size() - 1).id();
      }
    }
    Outcome outcome = new Outcome(truePairs, predicted, tp, seconds);
    out.println(outcome.line());
    return outcome;
  }

  private static void trait(Event.Builder e, String name, @Nullable String value) {
    if (value != null && !value.isBlank()) {
      e.trait(name, value);
    }
  }

  private static void ingest(Cdp cdp, List<Event> batch) {
    if (batch.isEmpty()) {
      return;
    }
    BatchResult result = cdp.ingest(List.copyOf(batch));
    if (result.results().size() != batch.size()) {
      throw new IllegalStateException("ingest returned " + result.results().size()
          + " results for " + batch.size() + " events");
    }
    batch.clear();
  }

  private static @Nullable String join(@Nullable String street, @Nullable String number) {
    if (street == null) {
      return number;
    }
    return number == null ? street : street + " " + number;
  }

  /** rec-12-dup-0 and rec-12-org are person rec-12. */
  static String person(String recId) {
    int second = recId.indexOf('-', recId.indexOf('-') + 1);
    return second < 0 ? recId : recId.substring(0, second);
  }

  /** Reads a Febrl CSV: a header, comma-separated fields with a leading space, all text. */
  static List<Map<String, String>> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> header = split(lines.get(0));
    if (!header.equals(COLUMNS)) {
      throw new IOException(file + ": header must be " + COLUMNS + " but was " + header);
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      List<String> cells = split(lines.get(i));
      if (cells.size() != header.size()) {
        throw new IOException(file + ": line " + (i + 1) + " has " + cells.size()
            + " fields, not " + header.size());
      }
      Map<String, String> row = new HashMap<>();
      for (int c = 0; c < cells.size(); c++) {
        row.put(header.get(c), cells.get(c));
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    for (String cell : line.split(",", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }
}
