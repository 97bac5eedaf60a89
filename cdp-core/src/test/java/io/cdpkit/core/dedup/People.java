package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Generated people with duplicates that carry typical errors, for the dedup tests. */
final class People {
  private static final String[] SYLLABLES = {"ka", "lo", "mi", "ren", "to", "sa", "vin", "el",
      "dor", "na", "bri", "gel", "ha", "jo", "ste", "mar", "li", "an", "ro", "ben", "di", "ca",
      "pe", "ter", "su", "za", "wil", "fo", "ge", "nu", "qua", "xe", "yo", "ply", "mun", "rac",
      "dee", "tho", "sk", "ia"};

  private People() {}

  /** The person part of an id ({@code p12} of {@code p12-a}). */
  static String person(String id) {
    return id.substring(0, id.indexOf('-'));
  }

  /**
   * {@code people} people, the first {@code duplicated} of them with one duplicate in which each
   * field is, with probability 0.15 each, missing, misspelt (one letter replaced) or, for the
   * date of birth, has day and month transposed.
   */
  static List<MatchRecord> generate(int people, int duplicated, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<MatchRecord> records = new ArrayList<>();
    for (int p = 0; p < people; p++) {
      Map<String, String> v = new HashMap<>();
      v.put("given_name", word(random, 2));
      v.put("surname", word(random, 3));
      v.put("date_of_birth", String.format("%04d%02d%02d", 1930 + random.nextInt(75),
          1 + random.nextInt(12), 1 + random.nextInt(28)));
      v.put("postcode", Integer.toString(1000 + random.nextInt(9000)));
      v.put("street", word(random, 3) + " street " + (1 + random.nextInt(200)));
      v.put("city", word(random, 2) + "ville");
      records.add(new MatchRecord("p" + p + "-a", v));
      if (p < duplicated) {
        Map<String, String> d = new HashMap<>(v);
        for (String field : List.copyOf(d.keySet())) {
          double roll = random.nextDouble();
          if (roll < 0.05) {
            d.remove(field);
          } else if (roll < 0.15) {
            String s = d.get(field);
            if (field.equals("date_of_birth") && random.nextBoolean()) {
              d.put(field, s.substring(0, 4) + s.substring(6, 8) + s.substring(4, 6));
            } else {
              int at = random.nextInt(s.length());
              char c = Character.isDigit(s.charAt(at)) ? (char) ('0' + random.nextInt(10))
                  : (char) ('a' + random.nextInt(26));
              d.put(field, s.substring(0, at) + c + s.substring(at + 1));
            }
          }
        }
        records.add(new MatchRecord("p" + p + "-b", d));
      }
    }
    return records;
  }

  private static String word(SplittableRandom random, int syllables) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < syllables; i++) {
      s.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
    }
    return s.toString();
  }

  static Map<String, String> values(String... keysAndValues) {
    Map<String, String> v = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      v.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return v;
  }
}
