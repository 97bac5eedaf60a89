package io.cdpkit.activation.channels;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Normalises and hashes a person's identifiers the way an ad platform requires before they are
 * uploaded: each platform matches the SHA-256 of a value normalised by its own rules, so
 * {@code Jane.Doe@GMail.com} must become exactly {@code janedoe@gmail.com} for Google Ads and
 * {@code jane.doe@gmail.com} for Meta, or the hash matches no one.
 *
 * <p>The rules, per {@link Platform} and field (aliases in brackets):
 * <ul>
 *   <li><b>google_ads</b> (the normalisation of Google's own client-library samples):
 *       {@code email} [{@code em}]: lower case, every whitespace character removed, and for
 *       {@code gmail.com} and {@code googlemail.com} every dot of the local part removed;
 *       {@code phone} [{@code ph}]: E.164, with the {@code +} (spaces, dashes, dots and
 *       brackets are removed, a leading {@code 00} becomes {@code +});
 *       {@code first_name} [{@code fn}], {@code last_name} [{@code ln}],
 *       {@code street_address}: lower case, trimmed.
 *   <li><b>meta_capi</b> (the rules of Meta's business SDK, {@code normalize.py}): every value
 *       is lower-cased and trimmed first; {@code em} [{@code email}]: must then look like an
 *       address; {@code ph} [{@code phone}]: spaces, dashes and brackets removed, then a
 *       leading {@code +} and up to two leading zeros, leaving at least 7 digits that begin with
 *       the country code; {@code fn} [{@code first_name}], {@code ln} [{@code last_name}],
 *       {@code ge}, {@code db}, {@code external_id}: nothing more; {@code f5first},
 *       {@code f5last}: the first five characters; {@code fi}: the first character;
 *       {@code dobd}: a day 1 to 31 as two digits; {@code dobm}: a month 1 to 12 as two digits;
 *       {@code doby}: four digits; {@code ct}, {@code st}: digits, spaces, dots, dashes and
 *       brackets removed; {@code zp}: spaces removed, and anything from the first dash on;
 *       {@code country}: letters only, an ISO 3166-1 alpha-2 code.
 *   <li><b>snap_capi</b> (Snap's Conversions API parameter rules): {@code em}
 *       [{@code email}]: trimmed, lower case; {@code ph} [{@code phone}]: digits only, leading
 *       zeros removed (so {@code +44 844 412 4653} and {@code 0044 844 412 4653} both become
 *       {@code 448444124653}); {@code fn} [{@code first_name}], {@code ln}
 *       [{@code last_name}]: lower case, punctuation removed, trimmed.
 * </ul>
 *
 * <p>Lower-casing is locale-independent. A phone number must carry its country code: this class
 * does not guess a region (CDPKit stores phone numbers in E.164 already). A value that already
 * looks like a hash is hashed again: hand in plain values. A value that cannot be normalised
 * (empty, an e-mail address without {@code @}, a month 13) is rejected with an
 * {@link IllegalArgumentException} that names the platform, the field and the rule, never the
 * value. Normalising a normalised value gives it back unchanged, except that Meta's
 * {@code f5first}, {@code f5last} and {@code fi} keep a space that falls inside their cut.
 *
 * <p>Thread-safe: stateless.
 */
public final class AudienceHashing {
  /** The ad platforms whose rules this class knows. Immutable. */
  public enum Platform {
    /** Google Ads Customer Match and enhanced conversions. */
    GOOGLE_ADS("google_ads"),
    /** Meta (Facebook, Instagram) Conversions API and custom audiences. */
    META_CAPI("meta_capi"),
    /** Snap Conversions API. */
    SNAP_CAPI("snap_capi");

    private final String id;

    Platform(String id) {
      this.id = id;
    }

    /** The platform's id, as used in configuration ({@code google_ads}). */
    public String id() {
      return id;
    }

    /**
     * The platform with this id.
     *
     * @throws IllegalArgumentException naming the known ids when there is no such platform
     */
    public static Platform of(String id) {
      for (Platform p : values()) {
        if (p.id.equals(id)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown ad platform; known: "
          + Arrays.stream(values()).map(Platform::id).collect(Collectors.joining(", ")));
    }

    /** The field names this platform accepts, aliases included, sorted. */
    public Set<String> fields() {
      return Collections.unmodifiableSet(new TreeSet<>(rules(this).keySet()));
    }

    /** The field of this platform that holds an e-mail address. */
    public String emailField() {
      return this == GOOGLE_ADS ? "email" : "em";
    }

    /** The field of this platform that holds a phone number. */
    public String phoneField() {
      return this == GOOGLE_ADS ? "phone" : "ph";
    }

    @Override
    public String toString() {
      return id;
    }
  }

  private static final Pattern WHITESPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern PHONE_SEPARATORS =
      Pattern.compile("[\\s\\-().]", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
  private static final Pattern META_EMAIL =
      Pattern.compile("[a-z0-9_.+-]+@[a-z0-9-]+\\.[a-z0-9-.]+");
  private static final Pattern META_PHONE_SEPARATORS =
      Pattern.compile("[\\s\\-()]", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern META_PHONE_PREFIX = Pattern.compile("^\\+?0{0,2}");
  private static final Pattern META_LOCATION =
      Pattern.compile("[0-9.\\s\\-()]", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern NOT_A_TO_Z = Pattern.compile("[^a-z]");
  private static final Pattern ONE_OR_TWO_DIGITS = Pattern.compile("[0-9]{1,2}");
  private static final Pattern FOUR_DIGITS = Pattern.compile("[0-9]{4}");
  private static final Pattern PUNCTUATION = Pattern.compile("\\p{P}");
  private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

  private static final Map<String, Rule> GOOGLE = google();
  private static final Map<String, Rule> META = meta();
  private static final Map<String, Rule> SNAP = snap();

  private AudienceHashing() {}

  /**
   * The value normalised by the platform's rule for the field.
   *
   * @throws IllegalArgumentException when the platform has no such field, or the value cannot
   *     be normalised (the message names the platform, the field and the rule)
   */
  public static String normalize(Platform platform, String field, String value) {
    Objects.requireNonNull(value, "value");
    Rule rule = rules(platform).get(field);
    if (rule == null) {
      throw new IllegalArgumentException(platform.id() + " has no field '" + field
          + "'; known: " + String.join(", ", platform.fields()));
    }
    String normalized = rule.apply(value);
    if (normalized.isEmpty()) {
      throw new IllegalArgumentException(platform.id() + " " + field + " is empty");
    }
    return normalized;
  }

  /**
   * The lower-case hex SHA-256 of the value normalised by the platform's rule for the field.
   *
   * @throws IllegalArgumentException as {@link #normalize}
   */
  public static String hash(Platform platform, String field, String value) {
    return sha256Hex(normalize(platform, field, value));
  }

  /** The lower-case hex SHA-256 of the UTF-8 bytes of a value, as it is. */
  public static String sha256Hex(String value) {
    try {
      return WebhookSignature.hex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static Map<String, Rule> rules(Platform platform) {
    switch (platform) {
      case GOOGLE_ADS:
        return GOOGLE;
      case META_CAPI:
        return META;
      case SNAP_CAPI:
        return SNAP;
      default:
        throw new AssertionError(platform);
    }
  }

  /** A normalisation of one field; throws IllegalArgumentException naming what is wrong. */
  private interface Rule {
    String apply(String value);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static IllegalArgumentException bad(Platform p, String field, String why) {
    return new IllegalArgumentException(p.id() + " " + field + " " + why);
  }

  private static Map<String, Rule> google() {
    Platform p = Platform.GOOGLE_ADS;
    Map<String, Rule> m = new LinkedHashMap<>();
    Rule email = v -> {
      String s = WHITESPACE.matcher(lower(v)).replaceAll("");
      int at = s.indexOf('@');
      if (at < 1 || at != s.lastIndexOf('@') || at == s.length() - 1) {
        throw bad(p, "email", "must be an address with one @");
      }
      String local = s.substring(0, at);
      String domain = s.substring(at + 1);
      if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
        local = local.replace(".", "");
        if (local.isEmpty()) {
          throw bad(p, "email", "must have a local part");
        }
      }
      return local + "@" + domain;
    };
    Rule phone = v -> {
      String s = PHONE_SEPARATORS.matcher(v.strip()).replaceAll("");
      if (s.startsWith("00")) {
        s = "+" + s.substring(2);
      }
      if (!E164.matcher(s).matches()) {
        throw bad(p, "phone", "must be in E.164: + and the country code, 7 to 15 digits in all");
      }
      return s;
    };
    UnaryOperator<String> text = v -> lower(v).strip();
    m.put("email", email);
    m.put("em", email);
    m.put("phone", phone);
    m.put("ph", phone);
    m.put("first_name", text::apply);
    m.put("fn", text::apply);
    m.put("last_name", text::apply);
    m.put("ln", text::apply);
    m.put("street_address", text::apply);
    return Map.copyOf(m);
  }

  private static Map<String, Rule> meta() {
    Platform p = Platform.META_CAPI;
    Map<String, Rule> m = new LinkedHashMap<>();
    Rule email = v -> {
      String s = lower(v).strip();
      if (!META_EMAIL.matcher(s).matches()) {
        throw bad(p, "em", "must be an address of [a-z0-9_.+-] with a dotted domain");
      }
      return s;
    };
    Rule phone = v -> {
      String s = META_PHONE_SEPARATORS.matcher(lower(v).strip()).replaceAll("");
      s = META_PHONE_PREFIX.matcher(s).replaceFirst("");
      // normalize.py strips the prefix a second time before it checks the number.
      s = META_PHONE_PREFIX.matcher(s).replaceFirst("");
      if (s.startsWith("0")) {
        throw bad(p, "ph", "must begin with a country code");
      }
      if (s.length() < 7 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw bad(p, "ph", "must be a country code and number, at least 7 digits");
      }
      return s;
    };
    Rule plain = v -> lower(v).strip();
    Rule firstFive = v -> prefix(lower(v).strip(), 5);
    Rule initial = v -> prefix(lower(v).strip(), 1);
    Rule location = v -> META_LOCATION.matcher(lower(v).strip()).replaceAll("");
    m.put("em", email);
    m.put("email", email);
    m.put("ph", phone);
    m.put("phone", phone);
    m.put("fn", plain);
    m.put("first_name", plain);
    m.put("ln", plain);
    m.put("last_name", plain);
    m.put("ge", plain);
    m.put("db", plain);
    m.put("external_id", plain);
    m.put("f5first", firstFive);
    m.put("f5last", firstFive);
    m.put("fi", initial);
    m.put("dobd", v -> twoDigits(p, "dobd", lower(v).strip(), 31));
    m.put("dobm", v -> twoDigits(p, "dobm", lower(v).strip(), 12));
    m.put("doby", v -> {
      String s = lower(v).strip();
      if (!FOUR_DIGITS.matcher(s).matches()) {
        throw bad(p, "doby", "must be a year of four digits");
      }
      return s;
    });
    m.put("ct", location);
    m.put("st", location);
    m.put("zp", v -> {
      String s = WHITESPACE.matcher(lower(v).strip()).replaceAll("");
      int dash = s.indexOf('-');
      return dash < 0 ? s : s.substring(0, dash);
    });
    m.put("country", v -> {
      String s = NOT_A_TO_Z.matcher(lower(v).strip()).replaceAll("");
      if (!COUNTRIES.contains(s.toUpperCase(Locale.ROOT))) {
        throw bad(p, "country", "must be an ISO 3166-1 alpha-2 code");
      }
      return s;
    });
    return Map.copyOf(m);
  }

  private static Map<String, Rule> snap() {
    Platform p = Platform.SNAP_CAPI;
    Map<String, Rule> m = new LinkedHashMap<>();
    Rule email = v -> {
      String s = lower(v).strip();
      int at = s.indexOf('@');
      if (at < 1 || at == s.length() - 1) {
        throw bad(p, "em", "must be an address with @");
      }
      return s;
    };
    Rule phone = v -> {
      StringBuilder digits = new StringBuilder(v.length());
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c >= '0' && c <= '9' && !(digits.length() == 0 && c == '0')) {
          digits.append(c);
        }
      }
      if (digits.length() < 7) {
        throw bad(p, "ph", "must be a country code and number, at least 7 digits");
      }
      return digits.toString();
    };
    Rule name = v -> PUNCTUATION.matcher(lower(v)).replaceAll("").strip();
    m.put("em", email);
    m.put("email", email);
    m.put("ph", phone);
    m.put("phone", phone);
    m.put("fn", name);
    m.put("first_name", name);
    m.put("ln", name);
    m.put("last_name", name);
    return Map.copyOf(m);
  }

  private static String prefix(String s, int codePoints) {
    if (s.codePointCount(0, s.length()) <= codePoints) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, codePoints));
  }

  private static String twoDigits(Platform p, String field, String s, int max) {
    if (ONE_OR_TWO_DIGITS.matcher(s).matches()) {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= max) {
        return n < 10 ? "0" + n : Integer.toString(n);
      }
    }
    throw bad(p, field, "must be a number from 1 to " + max);
  }
}
