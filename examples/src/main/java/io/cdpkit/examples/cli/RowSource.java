package io.cdpkit.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Reads the records of a CSV or JSON-lines file, gzipped or not (told by the file's first
 * bytes, not its name), in UTF-8.
 *
 * <p>CSV: RFC 4180. The first record is the header; fields are separated by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes; a byte order mark before the
 * header is dropped; a record's line is the line it starts on. JSON lines: one JSON object a
 * line, blank lines ignored; a column name reads a top-level key, a dotted name
 * ({@code address.city}) reads into nested objects.
 *
 * <p>A record that cannot be read (an unterminated quote, text after a closing quote, a line
 * that is not a JSON object, a CSV record with more or fewer fields than the header) comes as
 * a {@link BadRow} from {@link #next()}, and reading goes on with the next record.
 *
 * <p>Not thread-safe.
 */
final class RowSource implements Closeable {
  /** The file formats. */
  enum Format {
    CSV, JSONL;

    /** {@code csv} or {@code jsonl}. */
    static Format parse(String s, String where) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "csv" -> CSV;
        case "jsonl", "ndjson" -> JSONL;
        default -> throw new IllegalArgumentException(where + " must be csv or jsonl");
      };
    }

    /** JSONL for names ending in .jsonl, .ndjson or .json (before an optional .gz); else CSV. */
    static Format guess(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".gz")) {
        name = name.substring(0, name.length() - 3);
      }
      return name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")
          ? JSONL : CSV;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

  private final Format format;
  private final BufferedReader in;
  private final List<String> header;
  private final Map<String, Integer> index = new HashMap<>();
  private long line; // lines consumed so far
  private int c = -2; // the character read ahead, -2 when none
  private final char[] buf = new char[1 << 14]; // CSV only; JSON lines read whole lines
  private int pos;
  private int lim;

  private RowSource(Format format, BufferedReader in) throws IOException {
    this.format = format;
    this.in = in;
    if (format == Format.CSV) {
      List<String> h = readRecord();
      if (h == null) {
        throw new IOException("the file is empty: a CSV file starts with a header line");
      }
      if (!h.isEmpty() && h.get(0).startsWith("\uFEFF")) {
        h.set(0, h.get(0).substring(1));
      }
      header = List.copyOf(h);
      for (int i = 0; i < header.size(); i++) {
        index.putIfAbsent(header.get(i), i);
      }
    } else {
      header = List.of();
    }
  }

  /** Opens a file; gzip is recognised by its first two bytes. */
  static RowSource open(Path file, Format format) throws IOException {
    return new RowSource(format, new BufferedReader(
        new InputStreamReader(input(file), StandardCharsets.UTF_8), 1 << 16));
  }

  /** The file's bytes, gunzipped when they start with gzip's magic number. */
  static InputStream input(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b0 = raw.read();
    int b1 = raw.read();
    raw.reset();
    return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  /**
   * How many records the file has, counted cheaply for a progress bar: its lines (non-blank
   * ones for JSON lines), less the header of a CSV file. A CSV field with line breaks makes it
   * an over-estimate.
   */
  static long estimateRecords(Path file, Format format) throws IOException {
    long lines = 0;
    boolean blank = true;
    byte[] buf = new byte[1 << 16];
    try (InputStream s = input(file)) {
      int n;
      while ((n = s.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n') {
            if (!blank || format == Format.CSV) {
              lines++;
            }
            blank = true;
          } else if (b != '\r' && b != ' ' && b != '\t') {
            blank = false;
          }
        }
      }
    }
    if (!blank) {
      lines++;
    }
    return format == Format.CSV ? Math.max(0, lines - 1) : lines;
  }

  /** The CSV header's columns; empty for JSON lines. */
  List<String> header() {
    return header;
  }

  /**
   * The next record, or {@code null} at the end.
   *
   * @throws BadRow for a record that cannot be read; the next call reads the one after it
   * @throws IOException when the file cannot be read
   */
  @Nullable Row next() throws IOException {
    return format == Format.CSV ? nextCsv() : nextJson();
  }

  private @Nullable Row nextCsv() throws IOException {
    long start = line + 1;
    List<String> fields = readRecord();
    if (fields == null) {
      return null;
    }
    if (fields.size() != header.size()) {
      throw new BadRow(start, "row",
          "has " + fields.size() + " columns, expected " + header.size());
    }
    String[] values = fields.toArray(new String[0]);
    return new Row() {
      @Override
      public long line() {
        return start;
      }

      @Override
      public @Nullable String get(String column) {
        Integer i = index.get(column);
        return i == null ? null : values[i];
      }
    };
  }

  /** The next character of a CSV file, from a buffer of our own (no lock per character). */
  private int read() throws IOException {
    if (c != -2) {
      int r = c;
      c = -2;
      return r;
    }
    if (pos == lim) {
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return -1;
      }
      pos = 0;
      lim = n;
    }
    return buf[pos++];
  }

  /** One CSV record, or null at the end of the file; throws BadRow after skipping it. */
  private @Nullable List<String> readRecord() throws IOException {
    int ch = read();
    while (ch == '\n' || ch == '\r') { // empty lines hold no record
      if (ch == '\n') {
        line++;
      }
      ch = read();
    }
    if (ch == -1) {
      return null;
    }
    line++;
    long start = line;
    List<String> out = new ArrayList<>(16);
    StringBuilder field = new StringBuilder();
    @Nullable String error = null;
    while (true) {
      if (ch == '"') {
        boolean closed = false;
        while (true) {
          ch = read();
          if (ch == -1) {
            break;
          }
          if (ch == '"') {
            int next = read();
            if (next == '"') {
              field.append('"');
              continue;
            }
            closed = true;
            ch = next;
            break;
          }
          if (ch == '\n') {
            line++;
          }
          field.append((char) ch);
        }
        if (!closed) {
          throw new BadRow(start, "row", "has an unterminated quoted field");
        }
        if (ch != ',' && ch != '\n' && ch != '\r' && ch != -1) {
          error = "has text after a closing quote";
          while (ch != '\n' && ch != -1) {
            ch = read();
          }
        }
      } else {
        while (ch != ',' && ch != '\n' && ch != '\r' && ch != -1) {
          field.append((char) ch);
          ch = read();
        }
      }
      out.add(field.toString());
      field.setLength(0);
      if (ch == ',') {
        ch = read();
        continue;
      }
      if (ch == '\r') {
        int next = read();
        if (next != '\n') {
          c = next;
        }
      }
      if (error != null) {
        throw new BadRow(start, "row", error);
      }
      return out;
    }
  }

  private @Nullable Row nextJson() throws IOException {
    String text;
    do {
      text = in.readLine();
      if (text == null) {
        return null;
      }
      line++;
    } while (text.isBlank());
    long at = line;
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRow(at, "row", "is not valid JSON (column "
          + e.getLocation().getColumnNr() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new BadRow(at, "row", "is not a JSON object");
    }
    JsonNode object = node;
    return new Row() {
      @Override
      public long line() {
        return at;
      }

      @Override
      public @Nullable String get(String column) {
        JsonNode n = object.get(column);
        if (n == null && column.indexOf('.') > 0) {
          n = object;
          for (String part : column.split("\\.", -1)) {
            n = n == null || !n.isObject() ? null : n.get(part);
          }
        }
        if (n == null || n.isNull() || n.isMissingNode()) {
          return null;
        }
        if (n.isContainerNode()) {
          throw new BadRow(at, column,
              "is " + (n.isArray() ? "an array" : "an object") + ", expected a single value");
        }
        if (n.isBigDecimal() || n.isDouble() || n.isFloat()) {
          return n.decimalValue().toPlainString();
        }
        return n.asText();
      }
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
