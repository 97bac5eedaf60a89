package io.cdpkit.segmentation.definition;

import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.internal.DefinitionReader;
import io.cdpkit.segmentation.internal.DefinitionWriter;

/**
 * Reads and writes segment definitions in their canonical JSON form, version
 * {@value #VERSION}:
 *
 * <pre>{@code
 * {"version": 1, "id": "vip", "name": "VIPs by spend", "description": "optional",
 *  "condition": {"type": "and", "conditions": [
 *    {"type": "profile", "field": "totalSpend", "currency": "EUR", "op": ">=", "value": 1000},
 *    {"type": "trait", "name": "tier", "op": "in", "values": ["gold", "platinum"]},
 *    {"type": "not", "condition": {"type": "segment", "segment": "staff"}}]}}
 * }</pre>
 *
 * <p>Each condition type and its keys are described on its record ({@link Condition} lists
 * them). Numbers are read exactly: integers as {@link Long} (larger ones as
 * {@link java.math.BigDecimal}), every other number as {@link java.math.BigDecimal}, never as a
 * floating-point type.
 *
 * <h2>Writing</h2>
 * {@link #write} gives the canonical text: compact, {@code version} first and every other key in
 * the order of the example, defaults written out ({@code count} always), absent optional parts
 * left out ({@code description}, {@code currency}, an empty {@code where}, {@code withinDays},
 * {@code startOf}), event names sorted. So {@code read(write(d)).equals(d)}, and writing what was
 * read gives the same text again.
 *
 * <h2>Reading</h2>
 * {@link #read} is strict: unknown keys, repeated keys, values of the wrong JSON type, a missing
 * or unsupported {@code version}, unknown {@code type}, {@code op}, {@code field} or
 * {@code startOf} are errors, as is anything the records refuse. It reads as far as it can and
 * reports every violation it finds in one {@link DefinitionValidationException}, each with a JSON
 * pointer ({@code /condition/conditions/2/value}). Only syntax errors stop it at once. It also
 * enforces {@link DefinitionLimits}: at most {@value DefinitionLimits#MAX_JSON_BYTES} bytes of
 * UTF-8, {@value DefinitionLimits#MAX_DEPTH} levels and {@value DefinitionLimits#MAX_CONDITIONS}
 * conditions. Optional keys when reading: {@code name} (defaults to the id), {@code description},
 * {@code count} (defaults to {@code {"op": ">=", "value": 1}}), and in a relative date
 * {@code startOf}, {@code offset} ({@code P0D}) and {@code zone} ({@code UTC}).
 *
 * <p>What it does not check is what needs the workspace (declared computed traits, other
 * segments): see {@link SegmentValidator}.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentJson {
  /** The version of the JSON form this class reads and writes. */
  public static final int VERSION = DefinitionWriter.VERSION;

  private SegmentJson() {}

  /**
   * Reads a definition from its JSON text.
   *
   * @throws DefinitionValidationException listing every violation found
   */
  public static SegmentDefinition read(String json) {
    return DefinitionReader.read(json);
  }

  /** The canonical JSON text of a definition. */
  public static String write(SegmentDefinition definition) {
    return DefinitionWriter.write(definition);
  }
}
