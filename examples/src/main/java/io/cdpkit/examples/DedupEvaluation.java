package io.cdpkit.examples;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.dedup.CandidatePair;
import io.cdpkit.core.dedup.DedupResult;
import io.cdpkit.core.dedup.DuplicateDetector;
import io.cdpkit.core.dedup.FieldKind;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.MatchRecord;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Measures duplicate detection on Febrl files (person records with known duplicates, see
 * {@code ../shared/data/README.md}): ingests every record into an in-memory {@link Cdp} as an
 * identify event (userId = rec_id, the other columns as traits), reads the profiles back page by
 * page, maps their traits to {@link MatchField}s, runs a {@link DuplicateDetector} with its
 * defaults, and prints one line:
 *
 * <pre>
 * pairs=&lt;true pairs&gt; predicted=&lt;n&gt; precision=&lt;p&gt; recall=&lt;r&gt;
 *   f1=&lt;f&gt; seconds=&lt;s&gt;   (one line)
 * </pre>
 *
 * where predicted counts the pairs at or above the default auto-link threshold, the truth is
 * that records sharing their {@code rec-N} prefix are the same person, and seconds is the time
 * of the detection alone (learning the model and scoring). Several files are read as one set of
 * records ({@code dataset4a.csv dataset4b.csv} together).
 *
 * <p>Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests
 * -Dexample=DedupEvaluation -Dexec.args="../shared/data/febrl/dataset1.csv"}. Stateless.
 */
public final class DedupEvaluation {
  private static final MatchField ADDRESS_2 =
      MatchField.custom("address_2", FieldKind.TEXT, false);
  private static final MatchField STATE = MatchField.custom("state", FieldKind.CATEGORY, false);
  private static final MatchField SOC_SEC_ID =
      MatchField.custom("soc_sec_id", FieldKind.CODE, false);
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
    List<MatchRecord> records = new ArrayList<>();
    try (Cdp cdp = Cdp.builder().build()) {
      List<Event> batch = new ArrayList<>();
      int n = 0;
      for (Map<String, String> row : rows) {
        Event.Builder e = Event.identify().messageId("febrl-" + n++).userId(row.get("rec_id"));
        for (String column : COLUMNS.subList(1, COLUMNS.size())) {
          String v = row.get(column);
          if (v != null && !v.isEmpty()) {
            e.trait(column, v);
          }
        }
        batch.add(e.build());
        if (batch.size() == 500) {
          ingest(cdp, batch);
        }
      }
      ingest(cdp, batch);
      ProfileId after = null;
      for (List<Profile> page; !(page = cdp.profiles().list(after, 1_000)).isEmpty(); ) {
        for (Profile p : page) {
          records.add(toRecord(p));
        }
        after = page.get(page.size() - 1).id();
      }
    }
    List<MatchField> fields = new ArrayList<>(MatchField.standard());
    fields.addAll(List.of(ADDRESS_2, STATE, SOC_SEC_ID));
    DuplicateDetector detector = DuplicateDetector.builder().fields(fields).build();
    long start = System.nanoTime();
    DedupResult result = detector.detect(records);
    double seconds = (System.nanoTime() - start) / 1e9;

    Map<String, Long> group = new HashMap<>();
    for (MatchRecord r : records) {
      group.merge(person(r.id()), 1L, Long::sum);
    }
    long truePairs = group.values().stream().mapToLong(k -> k * (k - 1) / 2).sum();
    List<CandidatePair> links = result.links();
    long tp = links.stream().filter(p -> person(p.first()).equals(person(p.second()))).count();
    Outcome outcome = new Outcome(truePairs, links.size(), tp, seconds);
    out.println(outcome.line());
    return outcome;
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

  /** The profile's traits as dedup fields; its id is its customer id (the Febrl rec_id). */
  private static MatchRecord toRecord(Profile p) {
    String id = p.identifiers(IdentifierType.CUSTOMER_ID).stream().map(Identifier::value)
        .findFirst().orElseThrow(() -> new IllegalStateException("profile without rec_id"));
    Map<String, String> v = new LinkedHashMap<>();
    put(v, MatchField.GIVEN_NAME, trait(p, "given_name"));
    put(v, MatchField.SURNAME, trait(p, "surname"));
    put(v, MatchField.DATE_OF_BIRTH, trait(p, "date_of_birth"));
    String street = join(trait(p, "address_1"), trait(p, "street_number"));
    put(v, MatchField.STREET, street);
    put(v, MatchField.POSTCODE, trait(p, "postcode"));
    put(v, MatchField.CITY, trait(p, "suburb"));
    put(v, ADDRESS_2, trait(p, "address_2"));
    put(v, STATE, trait(p, "state"));
    put(v, SOC_SEC_ID, trait(p, "soc_sec_id"));
    return new MatchRecord(id, v);
  }

  private static @Nullable String trait(Profile p, String name) {
    return p.trait(name).map(Object::toString).orElse(null);
  }

  private static @Nullable String join(@Nullable String street, @Nullable String number) {
    if (street == null) {
      return number;
    }
    return number == null ? street : street + " " + number;
  }

  private static void put(Map<String, String> values, MatchField field, @Nullable String v) {
    if (v != null && !v.isBlank()) {
      values.put(field.name(), v);
    }
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
