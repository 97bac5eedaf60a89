package io.cdpkit.core.identity;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.Text;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.traits.Regex;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How identifiers are normalised, ranked, limited and blocked.
 *
 * <h2>Normalisation, per type</h2>
 * <ul>
 *   <li>{@code email}: trimmed, lower-cased with {@link Locale#ROOT}; rejected unless it is
 *       {@code local@domain} with a 1-64 character local part without spaces, a domain of
 *       dot-separated labels with at least one dot, and at most 254 characters in all.
 *   <li>{@code phone}: parsed with libphonenumber, numbers without a country code read in the
 *       {@linkplain Builder#defaultRegion(String) default region} (default {@code NL}), written as
 *       E.164 ({@code +31612345678}); rejected unless libphonenumber finds it a valid number.
 *   <li>{@code loyalty_card}, {@code pos_customer}: trimmed, spaces and hyphens removed.
 *   <li>{@code device_id}: trimmed, lower-cased with {@link Locale#ROOT}.
 *   <li>{@code customer_id}, {@code anonymous_id} and host-defined types: trimmed only; they are
 *       case-sensitive.
 * </ul>
 *
 * <h2>The text rule for identifiers</h2>
 * Every value is first trimmed of leading and trailing white space ({@link String#strip()}). It
 * is then refused, for every type, when it holds an unpaired UTF-16 surrogate, a control
 * character (tab and line breaks included) or an invisible character: a format character
 * (Unicode {@code Cf}: zero-width space, joiner and non-joiner, word joiner, byte order mark,
 * soft hyphen, bidi embeddings, overrides and isolates), a space other than the ASCII space
 * (no-break, narrow no-break, ideographic, ...), a line or paragraph separator, another
 * default-ignorable character (Hangul fillers, variation selectors, combining grapheme joiner)
 * or a noncharacter. An e-mail address with an invisible character in it is not an e-mail
 * address someone typed: refusing it (rather than removing the character) means no second
 * identity exists that erasing the visible address would miss. Phone numbers are refused by the
 * same rule before libphonenumber reads them. The value is then brought to Unicode
 * Normalization Form C (NFC), before and after the type's own normalisation, so that
 * {@code é} typed as one code point or as {@code e} plus a combining accent is one identity.
 * A normalised value longer than {@value Identifier#MAX_VALUE_LENGTH} characters is refused.
 * Refusals name the reason and never quote the value.
 *
 * <h2>Blocked values</h2>
 * A blocked identifier is dropped from the event before identity resolution: it links nothing
 * and the event is still stored. Blocked for every type, case-insensitively, after trimming:
 * the empty string, {@code null}, {@code nil}, {@code none}, {@code undefined}, {@code unknown},
 * {@code anonymous}, {@code n/a}, and values made only of zeros (with spaces, {@code -} or a
 * leading {@code +}). Blocked e-mail addresses: {@code test@test.com}, {@code test@example.com},
 * {@code noemail@noemail.com}. Hosts add exact values ({@link Builder#block}) and patterns
 * ({@link Builder#blockPattern}), matched against the normalised value; a shop's shared
 * in-store walk-in card is the typical case.
 *
 * <h2>Priority and limits</h2>
 * Each type has a priority (higher wins) and a maximum number of distinct identifiers of that type
 * per profile. Defaults: {@code customer_id} 100 / 1, {@code pos_customer} 90 / 3,
 * {@code loyalty_card} 80 / 3, {@code email} 70 / 5, {@code phone} 60 / 5, host-defined types 50
 * / unbounded, {@code device_id} 20 / unbounded, {@code anonymous_id} 10 / unbounded. An event is
 * attributed to the profile of its highest-priority identifier; a link that would break a limit
 * does not merge.
 *
 * <h2>Trait identifiers</h2>
 * The {@code email} and {@code phone} traits of an {@code identify} and of {@code context.traits}
 * are read as identifiers of those types; {@link Builder#traitIdentifier} maps more.
 *
 * <p>Immutable and thread-safe.
 */
public final class IdentityRules {
  /** Priority of a host-defined type nobody configured. */
  public static final int DEFAULT_PRIORITY = 50;
  /** Stands for "no limit" in {@link #maxPerProfile}. */
  public static final int UNBOUNDED = Integer.MAX_VALUE;

  private static final List<String> PLACEHOLDERS = List.of(
      "", "null", "nil", "none", "undefined", "unknown", "anonymous", "n/a");
  private static final int LONGEST_PLACEHOLDER = 9;
  private static final Pattern EMAIL_LOCAL = Pattern.compile("[^\\s@\"(),:;<>\\[\\]\\\\]{1,64}");
  private static final Pattern EMAIL_LABEL =
      Pattern.compile("[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?");

  private final Map<IdentifierType, Integer> priorities;
  private final Map<IdentifierType, Integer> limits;
  private final Map<IdentifierType, Set<String>> blockedExact;
  private final Map<IdentifierType, List<Regex>> blockedPatterns;
  private final Map<String, IdentifierType> traitIdentifiers;
  private final String defaultRegion;
  private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
  private final Comparator<Identifier> priorityOrder;

  private IdentityRules(Builder b) {
    this.priorities = Map.copyOf(b.priorities);
    this.limits = Map.copyOf(b.limits);
    Map<IdentifierType, Set<String>> exact = new HashMap<>();
    b.blockedExact.forEach((k, v) -> exact.put(k, Set.copyOf(v)));
    this.blockedExact = Map.copyOf(exact);
    Map<IdentifierType, List<Regex>> patterns = new HashMap<>();
    b.blockedPatterns.forEach((k, v) -> patterns.put(k, List.copyOf(v)));
    this.blockedPatterns = Map.copyOf(patterns);
    this.traitIdentifiers = Map.copyOf(b.traitIdentifiers);
    this.defaultRegion = b.defaultRegion;
    this.priorityOrder = Comparator.<Identifier>comparingInt(i -> -priority(i.type()))
        .thenComparing(i -> i.type().id())
        .thenComparing(Identifier::value);
  }

  /** The rules described in the class documentation. */
  public static IdentityRules defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Priority of a type; higher wins. */
  public int priority(IdentifierType type) {
    return priorities.getOrDefault(type, DEFAULT_PRIORITY);
  }

  /** Most distinct identifiers of this type one profile may hold; {@link #UNBOUNDED} for none. */
  public int maxPerProfile(IdentifierType type) {
    return limits.getOrDefault(type, UNBOUNDED);
  }

  /** Highest priority first, then by type id, then by value: a total order. */
  public Comparator<Identifier> priorityOrder() {
    return priorityOrder;
  }

  /** Trait names read as identifiers, and their types. */
  public Map<String, IdentifierType> traitIdentifiers() {
    return traitIdentifiers;
  }

  /**
   * The person's current address of a type: of their {@code identifiers} of that type, the one
   * given last. "Given" means set by a trait that {@link #traitIdentifiers()} reads as that type
   * (the {@code email} or {@code phone} of an {@code identify}): the trait's register in
   * {@code state} (the latest write by event time, then source priority, then messageId; see
   * {@link ProfileState#traits()}) names the current address once normalised. Older addresses
   * stay identifiers of the person (they still recognise her) but are not current.
   *
   * <p>When no such register names one of the identifiers (the addresses came only with
   * {@code context.traits} or as explicit identifiers, or the register holds an address that
   * was removed since), the only identifier of the type is current; with several, the first in
   * {@link #priorityOrder()}, so the choice is stable but says nothing of time. Empty when the
   * person has no identifier of the type.
   *
   * @param type the address type, such as {@link IdentifierType#EMAIL}
   * @param identifiers the person's identifiers (normalised, as a profile holds them)
   * @param state the person's profile state
   */
  public Optional<Identifier> currentAddress(IdentifierType type,
      Collection<Identifier> identifiers, ProfileState state) {
    List<Identifier> ofType = new ArrayList<>();
    for (Identifier i : identifiers) {
      if (i.type().equals(type)) {
        ofType.add(i);
      }
    }
    if (ofType.size() <= 1) {
      return ofType.stream().findFirst();
    }
    Identifier best = null;
    ProfileState.TraitValue bestWrite = null;
    for (Map.Entry<String, IdentifierType> t : traitIdentifiers.entrySet()) {
      ProfileState.TraitValue v = state.traits().get(t.getKey());
      if (!t.getValue().equals(type) || v == null || !(v.value() instanceof String raw)) {
        continue;
      }
      Identifier given;
      try {
        given = normalize(new Identifier(type, raw)).orElse(null);
      } catch (InvalidEventException | IllegalArgumentException unusable) {
        continue; // a trait value that is no address of the type names none
      }
      if (given != null && ofType.contains(given)
          && (bestWrite == null || later(v, bestWrite))) {
        best = given;
        bestWrite = v;
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    ofType.sort(priorityOrder);
    return Optional.of(ofType.get(0));
  }

  private static boolean later(ProfileState.TraitValue a, ProfileState.TraitValue b) {
    int c = a.time().compareTo(b.time());
    if (c == 0) {
      c = Integer.compare(a.sourcePriority(), b.sourcePriority());
    }
    if (c == 0) {
      c = a.messageId().compareTo(b.messageId());
    }
    return c > 0;
  }

  /** The region numbers without a country code are read in (ISO 3166 alpha-2, or ZZ: none). */
  public String defaultRegion() {
    return defaultRegion;
  }

  /**
   * Normalises an identifier as sent by a client.
   *
   * @return the normalised identifier, or empty when the value is blocked
   * @throws InvalidEventException with the empty pointer and the reason when the value is not
   *     acceptable for its type; callers re-anchor the pointer to the field it came from
   */
  public Optional<Identifier> normalize(Identifier raw) {
    String trimmed = raw.value().strip();
    if (isPlaceholder(trimmed)) {
      return Optional.empty();
    }
    String problem = Text.identifierProblem(trimmed);
    if (problem != null) {
      throw new InvalidEventException("", problem);
    }
    trimmed = nfc(trimmed);
    IdentifierType type = raw.type();
    String value;
    if (type.equals(IdentifierType.EMAIL)) {
      value = normalizeEmail(trimmed);
    } else if (type.equals(IdentifierType.PHONE)) {
      value = normalizePhone(trimmed);
    } else if (type.equals(IdentifierType.LOYALTY_CARD) || type.equals(IdentifierType.POS_CUSTOMER)) {
      value = trimmed.replace(" ", "").replace("-", "");
    } else if (type.equals(IdentifierType.DEVICE_ID)) {
      value = trimmed.toLowerCase(Locale.ROOT);
    } else {
      value = trimmed;
    }
    value = nfc(value);
    if (value.isEmpty() || isPlaceholder(value)) {
      return Optional.empty();
    }
    if (value.length() > Identifier.MAX_VALUE_LENGTH) {
      throw new InvalidEventException(
          "", "is longer than " + Identifier.MAX_VALUE_LENGTH + " characters");
    }
    if (isBlocked(type, value)) {
      return Optional.empty();
    }
    return Optional.of(new Identifier(type, value));
  }

  private static boolean isPlaceholder(String s) {
    if (s.length() <= LONGEST_PLACEHOLDER) {
      for (String p : PLACEHOLDERS) {
        if (p.equalsIgnoreCase(s)) {
          return true;
        }
      }
    }
    return isAllZero(s);
  }

  /** Zeros, optionally with spaces and {@code -}, and a leading {@code +}. */
  private static boolean isAllZero(String s) {
    int n = s.length();
    int i = n > 0 && s.charAt(0) == '+' ? 1 : 0;
    boolean zero = false;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c == '0') {
        zero = true;
      } else if (c != ' ' && c != '-' && !Character.isWhitespace(c)) {
        return false;
      }
    }
    return zero;
  }

  /** {@code s} in Unicode Normalization Form C. */
  static String nfc(String s) {
    // Every char below U+0300 (the first combining mark) is its own NFC form and combines with
    // nothing before it, so a string of such chars is in NFC. Identifiers nearly always are, and
    // the JDK's check allocates about 300 bytes per call.
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= '\u0300') {
        return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s
            : Normalizer.normalize(s, Normalizer.Form.NFC);
      }
    }
    return s;
  }

  private boolean isBlocked(IdentifierType type, String value) {
    Set<String> exact = blockedExact.get(type);
    if (exact != null && exact.contains(value)) {
      return true;
    }
    List<Regex> patterns = blockedPatterns.get(type);
    if (patterns != null) {
      for (Regex p : patterns) {
        if (p.matches(value)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String normalizeEmail(String trimmed) {
    String v = trimmed.toLowerCase(Locale.ROOT);
    int at = v.indexOf('@');
    if (v.length() > 254 || at <= 0 || at != v.lastIndexOf('@') || at == v.length() - 1) {
      throw new InvalidEventException("", "is not an e-mail address");
    }
    String local = v.substring(0, at);
    String domain = v.substring(at + 1);
    if (!EMAIL_LOCAL.matcher(local).matches() || local.startsWith(".") || local.endsWith(".")
        || local.contains("..")) {
      throw new InvalidEventException("", "is not an e-mail address");
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      throw new InvalidEventException("", "is not an e-mail address");
    }
    for (String label : labels) {
      if (!EMAIL_LABEL.matcher(label).matches()) {
        throw new InvalidEventException("", "is not an e-mail address");
      }
    }
    return v;
  }

  private String normalizePhone(String trimmed) {
    PhoneNumber number;
    try {
      number = phones.parse(trimmed, defaultRegion);
    } catch (NumberParseException e) {
      throw new InvalidEventException("", "is not a phone number");
    }
    if (!phones.isValidNumber(number)) {
      throw new InvalidEventException("", "is not a valid phone number");
    }
    return phones.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
  }

  /**
   * Builds {@link IdentityRules}, starting from the defaults. Each setting is checked when it is
   * made. Not thread-safe.
   */
  public static final class Builder {
    private final Map<IdentifierType, Integer> priorities = new HashMap<>();
    private final Map<IdentifierType, Integer> limits = new HashMap<>();
    private final Map<IdentifierType, Set<String>> blockedExact = new HashMap<>();
    private final Map<IdentifierType, List<Regex>> blockedPatterns = new HashMap<>();
    private final Map<String, IdentifierType> traitIdentifiers = new LinkedHashMap<>();
    private String defaultRegion = "NL";

    private Builder() {
      type(IdentifierType.CUSTOMER_ID, 100, 1);
      type(IdentifierType.POS_CUSTOMER, 90, 3);
      type(IdentifierType.LOYALTY_CARD, 80, 3);
      type(IdentifierType.EMAIL, 70, 5);
      type(IdentifierType.PHONE, 60, 5);
      type(IdentifierType.DEVICE_ID, 20, UNBOUNDED);
      type(IdentifierType.ANONYMOUS_ID, 10, UNBOUNDED);
      block(IdentifierType.EMAIL, "test@test.com");
      block(IdentifierType.EMAIL, "test@example.com");
      block(IdentifierType.EMAIL, "noemail@noemail.com");
      traitIdentifier("email", IdentifierType.EMAIL);
      traitIdentifier("phone", IdentifierType.PHONE);
    }

    /**
     * Sets a type's priority (higher wins) and its maximum per profile.
     *
     * @param maxPerProfile at least 1; {@link IdentityRules#UNBOUNDED} for no limit
     */
    public Builder type(IdentifierType type, int priority, int maxPerProfile) {
      Objects.requireNonNull(type, "type");
      if (maxPerProfile < 1) {
        throw new IllegalArgumentException(
            "maximum per profile of " + type + " must be at least 1, was " + maxPerProfile);
      }
      priorities.put(type, priority);
      limits.put(type, maxPerProfile);
      return this;
    }

    /** Blocks one normalised value of a type, for example a shared walk-in loyalty card. */
    public Builder block(IdentifierType type, String normalizedValue) {
      Objects.requireNonNull(normalizedValue, "normalizedValue");
      blockedExact.computeIfAbsent(Objects.requireNonNull(type, "type"), t -> new HashSet<>())
          .add(normalizedValue);
      return this;
    }

    /**
     * Blocks every normalised value of a type that fully matches a regular expression, in RE2
     * syntax and matched in time linear in the value ({@link Regex}): every event's identifiers
     * meet it.
     *
     * @throws IllegalArgumentException when the expression is not a valid pattern or exceeds a
     *     limit of {@link Regex}, saying why
     */
    public Builder blockPattern(IdentifierType type, String regex) {
      Regex p;
      try {
        p = Regex.compile(Objects.requireNonNull(regex, "regex"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "blocked pattern for " + type + " does not compile: " + e.getMessage(), e);
      }
      blockedPatterns.computeIfAbsent(Objects.requireNonNull(type, "type"),
          t -> new ArrayList<>()).add(p);
      return this;
    }

    /** Reads the trait (identify traits and {@code context.traits}) as an identifier. */
    public Builder traitIdentifier(String trait, IdentifierType type) {
      traitIdentifiers.put(Objects.requireNonNull(trait, "trait"),
          Objects.requireNonNull(type, "type"));
      return this;
    }

    /**
     * The region phone numbers without a country code are read in.
     *
     * @param region ISO 3166-1 alpha-2 code that libphonenumber knows, or {@code ZZ} for none
     *     (then every number needs a country code)
     */
    public Builder defaultRegion(String region) {
      Objects.requireNonNull(region, "region");
      if (!"ZZ".equals(region)
          && !PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
        throw new IllegalArgumentException("default region " + region
            + " is not a region libphonenumber knows (use upper-case ISO 3166 codes, or ZZ)");
      }
      this.defaultRegion = region;
      return this;
    }

    public IdentityRules build() {
      return new IdentityRules(this);
    }
  }
}
