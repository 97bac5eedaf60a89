package io.cdpkit.examples.cli;

import io.cdpkit.core.model.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a mapping over a whole file, as the import does, without a store. */
final class Convert {
  final Conversion conversion;
  final List<BadRow> bad = new ArrayList<>();
  final List<Conversion.Built> built = new ArrayList<>();

  private Convert(Mapping mapping) {
    this.conversion = new Conversion(mapping, bad::add);
  }

  static Convert file(Mapping mapping, Path file, RowSource.Format format) throws IOException {
    Convert c = new Convert(mapping);
    try (RowSource source = RowSource.open(file, format)) {
      while (true) {
        Row row;
        try {
          row = source.next();
        } catch (BadRow b) {
          c.conversion.unreadable(b);
          continue;
        }
        if (row == null) {
          break;
        }
        c.built.addAll(c.conversion.accept(row));
      }
    }
    c.built.addAll(c.conversion.finish());
    return c;
  }

  List<Event> events() {
    return built.stream().map(Conversion.Built::event).toList();
  }

  List<String> badLines() {
    return bad.stream().map(b -> "line " + b.line() + ": " + b.column() + " " + b.reason())
        .toList();
  }
}
