package io.cdpkit.core.catalog;

import java.util.List;

/**
 * What a bulk import of products did: every good line is stored, every bad one is reported with
 * its line number, the field and the reason, and none is stored half.
 *
 * <p>Immutable.
 *
 * @param lines lines read (blank lines are skipped and not counted)
 * @param stored products stored (added, changed or put again unchanged)
 * @param change what storing them did
 * @param rejected the lines refused, in order
 */
public record CatalogImport(long lines, long stored, CatalogChange change,
    List<Rejection> rejected) {
  public CatalogImport {
    rejected = List.copyOf(rejected);
  }

  /**
   * A line refused.
   *
   * @param line its number, from 1
   * @param pointer the JSON pointer of the field at fault ({@code /price}); empty for the line
   * @param reason what is wrong
   */
  public record Rejection(long line, String pointer, String reason) {}
}
