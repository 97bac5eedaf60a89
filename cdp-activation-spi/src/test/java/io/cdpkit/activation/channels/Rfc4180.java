package io.cdpkit.activation.channels;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for tests: rows ending in CRLF, quoted fields. Stateless. */
final class Rfc4180 {
  private Rfc4180() {}

  static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = text.length();
    while (i < n) {
      if (text.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unterminated quoted field");
          }
          char c = text.charAt(i++);
          if (c == '"') {
            if (i < n && text.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
      } else {
        while (i < n && text.charAt(i) != ',' && text.charAt(i) != '\r') {
          char c = text.charAt(i++);
          if (c == '"' || c == '\n') {
            throw new IllegalArgumentException("bare " + (c == '"' ? "quote" : "LF")
                + " in an unquoted field at " + (i - 1));
          }
          field.append(c);
        }
      }
      if (i >= n) {
        throw new IllegalArgumentException("row does not end in CRLF");
      }
      char sep = text.charAt(i);
      row.add(field.toString());
      field.setLength(0);
      if (sep == ',') {
        i++;
      } else if (sep == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
        rows.add(row);
        row = new ArrayList<>();
        i += 2;
      } else {
        throw new IllegalArgumentException("unexpected character at " + i);
      }
    }
    return rows;
  }
}
