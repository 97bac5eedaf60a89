package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.IdentifierType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The channel of {@link FileExportChannelProvider}. Thread-safe. */
final class FileExportChannel implements Channel {
  private static final Set<String> MESSAGE_FIELDS = Set.of("@idempotencyKey", "@workspace",
      "@profile", "@rule", "@channel", "@purpose", "@trigger", "@attempt", "@decidedAt");
  private static final byte[] NO_HEADER = new byte[0];

  private final String name;
  private final List<IdentifierType> addresses;
  private final Path file;
  private final boolean csv;
  private final List<String> columns;
  private final byte[] header;
  private final boolean sync;
  /** Guards every append, so records of concurrent deliveries never interleave. */
  private final Object lock = new Object();

  FileExportChannel(ChannelContext context) {
    this.name = context.channelName();
    this.addresses = Configs.identifierTypes(context, "addresses");
    this.file = file(context);
    String format = context.required("format").strip().toLowerCase(Locale.ROOT);
    if (format.equals("csv")) {
      this.csv = true;
    } else if (format.equals("jsonl")) {
      this.csv = false;
    } else {
      throw Configs.invalid(context, "format", "must be csv or jsonl");
    }
    Optional<String> columnList = Configs.optional(context, "columns");
    if (csv) {
      if (columnList.isEmpty()) {
        throw Configs.invalid(context, "columns", "is required for format csv");
      }
      this.columns = columns(context, columnList.get());
      StringBuilder h = new StringBuilder();
      for (String c : columns) {
        if (h.length() > 0) {
          h.append(',');
        }
        h.append(quote(c));
      }
      this.header = h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    } else {
      if (columnList.isPresent()) {
        throw Configs.invalid(context, "columns", "applies only to format csv");
      }
      this.columns = List.of();
      this.header = NO_HEADER;
    }
    this.sync = Configs.bool(context, "sync", false);
  }

  private static Path file(ChannelContext context) {
    Path path;
    try {
      path = Path.of(context.required("path").strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw Configs.invalid(context, "path", "is not a valid path", e);
    }
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw Configs.invalid(context, "path", "must be in an existing directory");
    }
    if (!Files.isWritable(dir)) {
      throw Configs.invalid(context, "path", "must be in a writable directory");
    }
    if (Files.isDirectory(path)) {
      throw Configs.invalid(context, "path", "names a directory, not a file");
    }
    if (Files.exists(path) && !Files.isWritable(path)) {
      throw Configs.invalid(context, "path", "names a file that cannot be written");
    }
    return path;
  }

  private static List<String> columns(ChannelContext context, String list) {
    Set<String> columns = new LinkedHashSet<>();
    for (String raw : list.split(",", -1)) {
      String c = raw.strip();
      if (c.isEmpty()) {
        throw Configs.invalid(context, "columns", "has an empty column name");
      }
      if (c.startsWith("@") && !MESSAGE_FIELDS.contains(c)) {
        throw Configs.invalid(context, "columns", "names an unknown message field " + c
            + "; known: " + String.join(", ", new TreeSet<>(MESSAGE_FIELDS)));
      }
      if (!columns.add(c)) {
        throw Configs.invalid(context, "columns", "names column " + c + " twice");
      }
    }
    return List.copyOf(columns);
  }

  @Override
  public List<IdentifierType> addresses() {
    return addresses;
  }

  @Override
  public DeliveryResult deliver(Message message) {
    byte[] record;
    try {
      record = csv ? csvRow(message) : jsonLine(message);
    } catch (JsonProcessingException e) {
      return DeliveryResult.permanent(
          "payload cannot be written as JSON (" + e.getClass().getSimpleName() + ")");
    }
    try {
      synchronized (lock) {
        AppendFile.append(file, header, record, sync);
      }
    } catch (IOException e) {
      return DeliveryResult.retryable(
          "cannot append to file (" + e.getClass().getSimpleName() + ")");
    }
    return DeliveryResult.delivered();
  }

  private static byte[] jsonLine(Message message) throws JsonProcessingException {
    byte[] json = MessageJson.bytes(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 1);
    out.writeBytes(json);
    out.write('\n');
    return out.toByteArray();
  }

  private byte[] csvRow(Message message) throws JsonProcessingException {
    List<String> cells = new ArrayList<>(columns.size());
    for (String c : columns) {
      cells.add(quote(cell(message, c)));
    }
    return (String.join(",", cells) + "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String cell(Message m, String column) throws JsonProcessingException {
    switch (column) {
      case "@idempotencyKey":
        return m.idempotencyKey();
      case "@workspace":
        return m.workspace().value();
      case "@profile":
        return m.profile().value();
      case "@rule":
        return m.rule();
      case "@channel":
        return m.channel();
      case "@purpose":
        return m.purpose();
      case "@trigger":
        return m.trigger();
      case "@attempt":
        return Integer.toString(m.attempt());
      case "@decidedAt":
        return m.decidedAt().toString();
      default:
        Object v = m.payload().get(column);
        if (v == null) {
          return "";
        }
        if (v instanceof List || v instanceof Map) {
          return MessageJson.text(v);
        }
        return String.valueOf(v);
    }
  }

  /** An RFC 4180 field: quoted when it holds a comma, a double quote or a line break. */
  static String quote(String s) {
    boolean needs = false;
    for (int i = 0; i < s.length() && !needs; i++) {
      char c = s.charAt(i);
      needs = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    return needs ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  @Override
  public String toString() {
    return "FileExportChannel[" + name + ", " + (csv ? "csv" : "jsonl") + "]";
  }
}
