package io.cdpkit.segmentation.internal;

import io.cdpkit.core.traits.Operator;
import io.cdpkit.segmentation.definition.DefinitionLimits;
import io.cdpkit.segmentation.definition.Literal;
import io.cdpkit.segmentation.definition.Operand;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.RelativeDate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The rules of the definition language, shared by the records (which throw
 * {@link IllegalArgumentException} with the reason) and the JSON reader (which reports the reason
 * as a violation at a pointer). Each check returns why a value is unusable, or {@code null} when
 * it is fine; reasons are phrased to follow a field name or a pointer.
 *
 * <p>Stateless and thread-safe.
 */
public final class Rules {
  private Rules() {}

  /** The instant relative dates are resolved at to check operands against an operator. */
  public static final Instant SAMPLE_NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** Operators that take relative dates. */
  public static final Set<Operator> RELATIVE_DATE_OPERATORS = EnumSet.of(Operator.EQ,
      Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.BETWEEN);

  private static final Pattern SEGMENT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern IDENTIFIER_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  private static final Pattern CONSENT_PART = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final int MAX_QUOTED = 64;

  /**
   * Throws {@link IllegalArgumentException} with {@code what + " " + reason} when there is a
   * reason, so records read {@code check("id", Rules.segmentId(id))}.
   */
  public static void check(String what, @Nullable String reason) {
    if (reason != null) {
      throw new IllegalArgumentException(what + " " + reason);
    }
  }

  /** Text in double quotes, cut at 64 characters, control characters escaped. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(s.length(), MAX_QUOTED);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append(s.length() > MAX_QUOTED ? "...\"" : "\"").toString();
  }

  public static @Nullable String segmentId(@Nullable String id) {
    if (id == null) {
      return "is required";
    }
    return SEGMENT_ID.matcher(id).matches() ? null
        : "must match [a-z0-9][a-z0-9_-]{0,63}, not " + quote(id);
  }

  public static @Nullable String name(@Nullable String name) {
    if (name == null) {
      return "is required";
    }
    if (name.isBlank() || name.length() > DefinitionLimits.MAX_NAME_LENGTH) {
      return "must be 1 to " + DefinitionLimits.MAX_NAME_LENGTH
          + " characters, not blank";
    }
    return null;
  }

  public static @Nullable String description(@Nullable String description) {
    if (description != null && description.length() > DefinitionLimits.MAX_DESCRIPTION_LENGTH) {
      return "must be at most " + DefinitionLimits.MAX_DESCRIPTION_LENGTH + " characters";
    }
    return null;
  }

  /** A trait or computed trait name. */
  public static @Nullable String traitName(@Nullable String name) {
    if (name == null) {
      return "is required";
    }
    if (name.isBlank() || name.length() > DefinitionLimits.MAX_TRAIT_NAME_LENGTH) {
      return "must be 1 to " + DefinitionLimits.MAX_TRAIT_NAME_LENGTH
          + " characters, not blank";
    }
    return null;
  }

  /**
   * A trait condition's name: a trait name, or a dotted path into a nested trait
   * ({@link io.cdpkit.core.traits.TraitPath}).
   */
  public static @Nullable String traitPath(@Nullable String name) {
    String problem = traitName(name);
    if (problem != null || !io.cdpkit.core.traits.TraitPath.isPath(name)) {
      return problem;
    }
    try {
      io.cdpkit.core.traits.TraitPath.parse(name);
      return null;
    } catch (IllegalArgumentException e) {
      return "is not a usable trait path: " + e.getMessage();
    }
  }

  public static @Nullable String identifierType(@Nullable String type) {
    if (type == null) {
      return "is required";
    }
    return IDENTIFIER_TYPE.matcher(type).matches() ? null
        : "must match [a-z][a-z0-9_]{0,31} (as identifier types do), not " + quote(type);
  }

  /** A consent purpose or channel. */
  public static @Nullable String consentPart(@Nullable String s) {
    if (s == null) {
      return "is required";
    }
    return CONSENT_PART.matcher(s).matches() ? null
        : "must match [a-z][a-z0-9_-]{0,63}, not " + quote(s);
  }

  public static @Nullable String currency(String code) {
    if (!CURRENCY.matcher(code).matches()) {
      return "must be an ISO 4217 code of three capital letters, not " + quote(code);
    }
    try {
      Currency.getInstance(code);
      return null;
    } catch (IllegalArgumentException ex) {
      return "is not an ISO 4217 currency: " + quote(code);
    }
  }

  /** Whether the field takes this currency (money fields need one, others take none). */
  public static @Nullable String currencyFor(ProfileField field, @Nullable String currency) {
    if (field.isMoney()) {
      return currency == null ? "is missing: " + field.jsonName() + " needs a currency"
          : currency(currency);
    }
    return currency == null ? null : "is not allowed: " + field.jsonName() + " takes no currency";
  }

  /** For a condition deeper than {@link DefinitionLimits#MAX_DEPTH}. */
  public static String tooDeep() {
    return "is nested more than " + DefinitionLimits.MAX_DEPTH + " levels deep";
  }

  /** For a tree of more than {@link DefinitionLimits#MAX_CONDITIONS} conditions. */
  public static String tooMany(int conditions) {
    return "holds " + conditions + " conditions, more than the limit of "
        + DefinitionLimits.MAX_CONDITIONS;
  }

  /** The number of conditions under an {@code and} or {@code or}. */
  public static @Nullable String children(int n) {
    if (n < 1 || n > DefinitionLimits.MAX_CHILDREN) {
      return "must hold 1 to " + DefinitionLimits.MAX_CHILDREN + " conditions, not " + n;
    }
    return null;
  }

  /**
   * Operands for an operator: relative dates only where allowed, then
   * {@link Operator#checkOperands} with relative dates resolved at {@link #SAMPLE_NOW}.
   */
  public static @Nullable String operands(Operator operator, List<Operand> operands) {
    List<Object> values = new ArrayList<>(operands.size());
    for (Operand o : operands) {
      if (o instanceof RelativeDate r) {
        if (!RELATIVE_DATE_OPERATORS.contains(operator)) {
          return "relative dates work only with =, !=, <, <=, >, >= and between, not "
              + operator.symbol();
        }
        values.add(r.resolve(SAMPLE_NOW));
      } else {
        values.add(((Literal) o).value());
      }
    }
    return operator.checkOperands(values);
  }

  public static @Nullable String eventName(@Nullable String name) {
    if (name == null) {
      return "is required";
    }
    if (name.isBlank() || name.length() > DefinitionLimits.MAX_EVENT_NAME_LENGTH) {
      return "must be 1 to " + DefinitionLimits.MAX_EVENT_NAME_LENGTH
          + " characters, not blank";
    }
    return null;
  }

  /** The event names of a filter in a segment condition. */
  public static @Nullable String eventNames(Collection<String> names) {
    if (names.isEmpty()) {
      return "must name at least one event";
    }
    if (names.size() > DefinitionLimits.MAX_EVENT_NAMES) {
      return "must name at most " + DefinitionLimits.MAX_EVENT_NAMES + " events, not "
          + names.size();
    }
    for (String n : names) {
      String why = eventName(n);
      if (why != null) {
        return "holds an event name that " + why;
      }
    }
    return null;
  }

  /**
   * A where condition's path through {@code $catalog} ({@code products[].$catalog.brand}), as
   * far as {@link io.cdpkit.core.traits.PropertyPath#parse} does not check it already: the field
   * after {@code $catalog} must be one a product can have (one of
   * {@link io.cdpkit.core.catalog.Product#FIELDS}, or an attribute of the host's: 1 to
   * {@value #MAX_ATTRIBUTE_NAME} characters, not starting with {@code $}), read as one value
   * (no {@code []}), and not the list of an {@code any}. Such a path would match nothing, ever.
   *
   * @param any whether the path is that of an {@code any}
   */
  public static @Nullable String catalogPath(io.cdpkit.core.traits.PropertyPath path,
      boolean any) {
    java.util.Optional<String> field = path.catalogField();
    if (field.isEmpty()) {
      return null;
    }
    String f = field.get();
    String text = path.toString();
    if (any) {
      return "reads catalog field " + quote(f) + ", one value of a product, where any needs a"
          + " list of objects: compare the field instead";
    }
    if (text.endsWith("[]")) {
      return "reads catalog field " + quote(f) + " as a list, but a catalog field is one value:"
          + " drop the []";
    }
    if (!io.cdpkit.core.catalog.Product.FIELDS.contains(f)
        && (f.startsWith("$") || f.length() > MAX_ATTRIBUTE_NAME)) {
      return "reads catalog field " + quote(f) + ", which no product has: a catalog field is"
          + " one of " + io.cdpkit.core.catalog.Product.FIELDS + " or an attribute of the"
          + " host's (1 to " + MAX_ATTRIBUTE_NAME + " characters, not starting with $)";
    }
    return null;
  }

  /** The longest name of a product attribute. */
  static final int MAX_ATTRIBUTE_NAME = io.cdpkit.core.catalog.Product.MAX_ATTRIBUTE_NAME_LENGTH;

  public static @Nullable String whereSize(int n) {
    return n > DefinitionLimits.MAX_WHERE
        ? "must hold at most " + DefinitionLimits.MAX_WHERE + " conditions, not " + n : null;
  }

  public static @Nullable String count(long n) {
    return n < 0 ? "must not be negative, not " + n : null;
  }

  /** The days of a window ({@code within.days}, {@code withinDays}). */
  public static @Nullable String days(long days) {
    if (days < 1 || days > DefinitionLimits.MAX_WINDOW_DAYS) {
      return "must be 1 to " + DefinitionLimits.MAX_WINDOW_DAYS + " days, not " + days;
    }
    return null;
  }

  public static @Nullable String dates(LocalDate from, LocalDate to) {
    return from.isAfter(to) ? "from " + from + " is after to " + to : null;
  }

  public static @Nullable String waitDuration(Duration wait) {
    if (wait.compareTo(DefinitionLimits.MIN_WAIT) < 0
        || wait.compareTo(DefinitionLimits.MAX_WAIT) > 0) {
      return "must be from PT1M to P365D, not " + wait;
    }
    return null;
  }

  /** Whether an event at least {@code wait} old can lie within the last {@code withinDays}. */
  public static @Nullable String waitWithin(Duration wait, @Nullable Integer withinDays) {
    if (withinDays != null && wait.compareTo(Duration.ofDays(withinDays)) > 0) {
      return "must not be longer than withinDays (" + withinDays
          + " days): no event could qualify";
    }
    return null;
  }

  /**
   * Parses a relative date's offset: an ISO-8601 period ({@code P1M}, {@code -P30D}) when it
   * holds no {@code T}, else a duration ({@code -PT24H}, {@code P1DT2H}), each at most
   * {@value DefinitionLimits#MAX_OFFSET_YEARS} years either way.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static TemporalAmount offset(String text) {
    TemporalAmount amount;
    try {
      if (text.indexOf('T') >= 0 || text.indexOf('t') >= 0) {
        amount = Duration.parse(text);
      } else {
        amount = Period.parse(text);
      }
    } catch (java.time.format.DateTimeParseException | ArithmeticException ex) {
      throw new IllegalArgumentException(
          "must be an ISO-8601 period or duration (-P30D, P1M, -PT24H), not " + quote(text));
    }
    long maxDays = DefinitionLimits.MAX_OFFSET_YEARS * 366L;
    boolean tooLarge;
    if (amount instanceof Period p) {
      tooLarge = Math.abs(p.toTotalMonths()) > DefinitionLimits.MAX_OFFSET_YEARS * 12L
          || Math.abs((long) p.getDays()) > maxDays;
    } else {
      Duration d = (Duration) amount;
      tooLarge = d.abs().compareTo(Duration.ofDays(maxDays)) > 0;
    }
    if (tooLarge) {
      throw new IllegalArgumentException(
          "must be at most " + DefinitionLimits.MAX_OFFSET_YEARS + " years either way");
    }
    return amount;
  }

  /**
   * The canonical text of an offset: {@code P0D} for an empty period, a leading minus when every
   * part is negative ({@code -P30D}, {@code -PT24H}), else Java's own form.
   */
  public static String offsetText(TemporalAmount amount) {
    if (amount instanceof Period p) {
      if (p.isZero()) {
        return "P0D";
      }
      if (p.getYears() <= 0 && p.getMonths() <= 0 && p.getDays() <= 0) {
        return "-" + p.negated();
      }
      return p.toString();
    }
    Duration d = (Duration) amount;
    return d.isNegative() ? "-" + d.negated() : d.toString();
  }
}
