package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which pairs are compared at all: two records form a candidate pair when, for some rule, they
 * have the same key, built from every field of the rule (all present). A rule keys on the
 * normalised value of each field ({@link #on}) or on its sound ({@link #onSound}, Double
 * Metaphone, for names).
 *
 * <p>The {@link #defaults} pair two of the core fields (given name, surname, date of birth,
 * postcode) in every way, plus street with postcode, the sound of both names, phone, e-mail local
 * part, and every custom field of kind {@link FieldKind#CODE} alone (an identity number): a true
 * duplicate is found as long as two core fields survive intact, or its sounds, or one such
 * identifier. Keys of two fields make blocks small, so the work grows close to linearly with
 * the number of records.
 *
 * <p>Immutable.
 *
 * @param fields the field names the key is built from, at least one
 * @param sound whether the key is the sound of the values instead of the values
 */
public record BlockingRule(List<String> fields, boolean sound) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when there are no fields or a field appears twice
   */
  public BlockingRule {
    fields = List.copyOf(fields);
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("fields must name at least one field");
    }
    if (Set.copyOf(fields).size() != fields.size()) {
      throw new IllegalArgumentException("fields must not repeat a field: " + fields);
    }
  }

  /** Records agreeing exactly on every one of these fields (after normalisation). */
  public static BlockingRule on(String... fields) {
    return new BlockingRule(List.of(fields), false);
  }

  /** Records whose values sound the same (Double Metaphone) on every one of these fields. */
  public static BlockingRule onSound(String... fields) {
    return new BlockingRule(List.of(fields), true);
  }

  /**
   * The default rules for these fields: those of the rules described above whose fields are
   * all among them.
   */
  public static List<BlockingRule> defaults(Collection<MatchField> fields) {
    Set<String> names = Set.copyOf(fields.stream().map(MatchField::name).toList());
    List<String> core = List.of(MatchField.GIVEN_NAME.name(), MatchField.SURNAME.name(),
        MatchField.DATE_OF_BIRTH.name(), MatchField.POSTCODE.name());
    List<BlockingRule> candidates = new ArrayList<>();
    for (int i = 0; i < core.size(); i++) {
      for (int j = i + 1; j < core.size(); j++) {
        candidates.add(on(core.get(i), core.get(j)));
      }
    }
    candidates.add(on(MatchField.STREET.name(), MatchField.POSTCODE.name()));
    candidates.add(onSound(MatchField.GIVEN_NAME.name(), MatchField.SURNAME.name()));
    candidates.add(on(MatchField.PHONE.name()));
    candidates.add(on(MatchField.EMAIL_LOCAL.name()));
    Set<String> standard = Set.copyOf(MatchField.standard().stream().map(MatchField::name)
        .toList());
    for (MatchField f : fields) {
      if (f.kind() == FieldKind.CODE && !standard.contains(f.name())) {
        candidates.add(on(f.name()));
      }
    }
    return candidates.stream().filter(r -> names.containsAll(r.fields())).toList();
  }

  @Override
  public String toString() {
    return (sound ? "sound(" : "exact(") + String.join(", ", fields) + ")";
  }

  static BlockingRule requireKnown(BlockingRule rule, Set<String> names) {
    Objects.requireNonNull(rule, "rule");
    for (String f : rule.fields()) {
      if (!names.contains(f)) {
        throw new IllegalArgumentException("blocking rule " + rule + " names field " + f
            + ", which is not one of the detector's fields " + names);
      }
    }
    return rule;
  }
}
