package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one scoring path of duplicate detection, shared by the batch run ({@link Detection}) and
 * the incremental {@link MatchIndex}: a record's values normalised once ({@link #prepare}),
 * blocking keys ({@link #key}), the levels of a pair ({@link #compare}: the kinds' levels, the
 * crosswise names, the city implied by the postcode) and its weights and probability under a
 * model ({@link #score}: level weights plus the term-frequency adjustment).
 *
 * <p>Immutable and thread-safe; the {@link Comparisons} passed in is not, so each thread brings
 * its own.
 */
final class PairScoring {
  /** Missing value on either side: no level. */
  static final byte MISSING = -1;
  private static final double LOG2 = Math.log(2);
  /** The order of scored pairs: most probable first, ties by the first id, then the second. */
  static final Comparator<CandidatePair> ORDER =
      Comparator.comparingDouble(CandidatePair::probability).reversed()
          .thenComparing(CandidatePair::first).thenComparing(CandidatePair::second);

  private final List<MatchField> fields;
  private final int f;
  /**
   * implied[field]: the field whose exact agreement already says what this one would (the city
   * of an agreeing postcode), or -1; this field then gives no level, so the place counts once.
   */
  private final int[] implied;
  /** The standard given name and surname, or -1: compared crosswise when both differ. */
  private final int givenName;
  private final int surname;
  /** Whether a field keeps the sounds of its values (names, and fields of sound rules). */
  private final boolean[] withSounds;

  /** A record as compared: its id, normalised values and sounds, by field index. */
  static final class Prepared {
    final String id;
    /** values[field], normalised, null when missing. */
    final @Nullable String[] values;
    /** sounds[field], for names and fields of sound rules with a value; null otherwise. */
    final String @Nullable [][] sounds;

    Prepared(String id, @Nullable String[] values, String @Nullable [][] sounds) {
      this.id = id;
      this.values = values;
      this.sounds = sounds;
    }
  }

  /**
   * How common an exact value is: the share of the records with the field present that hold
   * this value.
   */
  @FunctionalInterface
  interface TermFrequency {
    double of(int field, String value);
  }

  PairScoring(List<MatchField> fields, List<BlockingRule> rules) {
    this.fields = List.copyOf(fields);
    this.f = fields.size();
    this.implied = implied(fields);
    this.givenName = fields.indexOf(MatchField.GIVEN_NAME);
    this.surname = fields.indexOf(MatchField.SURNAME);
    this.withSounds = new boolean[f];
    for (int i = 0; i < f; i++) {
      withSounds[i] = fields.get(i).kind() == FieldKind.NAME;
    }
    for (BlockingRule rule : rules) {
      if (rule.sound()) {
        for (String name : rule.fields()) {
          withSounds[index(name)] = true;
        }
      }
    }
  }

  /**
   * For each field, the field whose exact agreement implies it, or -1: the city is implied by
   * the postcode when both are compared. The pair is then weighed as P(postcode) times
   * P(city given the postcode does not agree), a factorisation rather than an independence
   * assumption; m and u of the city are learned on those pairs only.
   */
  static int[] implied(List<MatchField> fields) {
    int[] out = new int[fields.size()];
    Arrays.fill(out, -1);
    int postcode = fields.indexOf(MatchField.POSTCODE);
    int city = fields.indexOf(MatchField.CITY);
    if (postcode >= 0 && city >= 0) {
      out[city] = postcode;
    }
    return out;
  }

  List<MatchField> fields() {
    return fields;
  }

  /** The index of the named field. */
  int index(String name) {
    for (int i = 0; i < f; i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("unknown field " + name);
  }

  /** The indexes of a rule's fields, in the rule's order. */
  int[] indexes(BlockingRule rule) {
    return rule.fields().stream().mapToInt(this::index).toArray();
  }

  /** The record's values normalised, with the sounds of the fields that need them. */
  Prepared prepare(MatchRecord record, Comparisons comparisons) {
    @Nullable String[] values = new String[f];
    String[][] sounds = new String[f][];
    for (int i = 0; i < f; i++) {
      MatchField field = fields.get(i);
      String v = Comparisons.normalise(field.kind(), record.values().get(field.name()));
      values[i] = v;
      if (v != null && withSounds[i]) {
        sounds[i] = comparisons.sounds(v);
      }
    }
    return new Prepared(record.id(), values, sounds);
  }

  /** The levels of a pair, {@link #MISSING} where a field gives none. */
  byte[] compare(Prepared a, Prepared b, Comparisons comparisons) {
    byte[] out = new byte[f];
    for (int i = 0; i < f; i++) {
      String va = a.values[i];
      String vb = b.values[i];
      if (va == null || vb == null) {
        out[i] = MISSING;
      } else {
        out[i] = (byte) comparisons.level(fields.get(i).kind(), va, vb, a.sounds[i],
            b.sounds[i]);
      }
    }
    int differ = FieldKind.NAME.levels().size() - 1;
    if (givenName >= 0 && surname >= 0 && out[givenName] == differ && out[surname] == differ) {
      // Given name and surname swapped: both compared crosswise, taken when both then agree.
      int given = comparisons.level(FieldKind.NAME, a.values[givenName], b.values[surname],
          a.sounds[givenName], b.sounds[surname]);
      int sur = comparisons.level(FieldKind.NAME, a.values[surname], b.values[givenName],
          a.sounds[surname], b.sounds[givenName]);
      if (given < differ && sur < differ) {
        out[givenName] = (byte) given;
        out[surname] = (byte) sur;
      }
    }
    for (int i = 0; i < f; i++) {
      if (implied[i] >= 0 && out[implied[i]] == 0) {
        out[i] = MISSING;
      }
    }
    return out;
  }

  /**
   * The record's key under a rule (its fields' values, or their primary sounds for a sound
   * rule), or null when a field is missing or has no sound.
   *
   * @param idx the rule's field indexes ({@link #indexes})
   */
  static @Nullable String key(BlockingRule rule, int[] idx, Prepared record) {
    StringBuilder key = new StringBuilder();
    for (int i : idx) {
      String v = record.values[i];
      if (v == null) {
        return null;
      }
      if (rule.sound()) {
        String[] s = record.sounds[i];
        if (s == null || s[0].isEmpty()) {
          return null;
        }
        v = s[0];
      }
      key.append(v).append('\u0000');
    }
    return key.toString();
  }

  /**
   * The pair under the model: prior weight plus each field's level weight, with the
   * term-frequency adjustment {@code log2(u / frequency)} on an exact match of a field that
   * asks for it.
   *
   * @param levels from {@link #compare} of the same pair, in the same order
   */
  CandidatePair score(MatchModel model, Prepared a, Prepared b, byte[] levels,
      TermFrequency frequencies) {
    double priorWeight = Math.log(model.prior() / (1 - model.prior())) / LOG2;
    double logOdds = priorWeight;
    List<FieldWeight> weights = new ArrayList<>(f);
    for (int i = 0; i < f; i++) {
      MatchField field = fields.get(i);
      byte l = levels[i];
      if (l == MISSING) {
        int by = implied[i];
        boolean isImplied = by >= 0 && levels[by] == 0 && a.values[i] != null
            && b.values[i] != null;
        weights.add(new FieldWeight(field.name(),
            isImplied ? "implied by " + fields.get(by).name() : null, 0, 0));
        continue;
      }
      MatchModel.FieldParameters parameters = model.fields().get(i);
      double w = parameters.weight(l);
      double adjustment = 0;
      if (l == 0 && field.termFrequency()) {
        double frequency = frequencies.of(i, a.values[i]);
        adjustment = Math.log(parameters.u().get(0) / frequency) / LOG2;
      }
      weights.add(new FieldWeight(field.name(), field.kind().levels().get(l), w + adjustment,
          adjustment));
      logOdds += w + adjustment;
    }
    double probability = 1 / (1 + Math.pow(2, -logOdds));
    return new CandidatePair(a.id, b.id, probability, logOdds, priorWeight, weights);
  }

  /**
   * Checks that a model was learned for exactly these fields, in this order.
   *
   * @throws IllegalArgumentException when its fields differ, naming the first that does
   */
  void requireFits(MatchModel model) {
    List<MatchModel.FieldParameters> params = model.fields();
    if (params.size() != f) {
      throw new IllegalArgumentException("model must have the detector's " + f
          + " fields but had " + params.size());
    }
    for (int i = 0; i < f; i++) {
      if (!params.get(i).field().equals(fields.get(i))) {
        throw new IllegalArgumentException("model field " + i + " must be "
            + fields.get(i) + " but was " + params.get(i).field());
      }
    }
  }
}
