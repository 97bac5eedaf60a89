package io.cdpkit.segmentation.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.core.traits.PropertyPath;
import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import io.cdpkit.segmentation.definition.And;
import io.cdpkit.segmentation.definition.ComputedCondition;
import io.cdpkit.segmentation.definition.Condition;
import io.cdpkit.segmentation.definition.ConsentCondition;
import io.cdpkit.segmentation.definition.CountOperator;
import io.cdpkit.segmentation.definition.DefinitionLimits;
import io.cdpkit.segmentation.definition.EventCondition;
import io.cdpkit.segmentation.definition.EventWindow;
import io.cdpkit.segmentation.definition.IdentifierCondition;
import io.cdpkit.segmentation.definition.Literal;
import io.cdpkit.segmentation.definition.Not;
import io.cdpkit.segmentation.definition.NotFollowedByCondition;
import io.cdpkit.segmentation.definition.Operand;
import io.cdpkit.segmentation.definition.Or;
import io.cdpkit.segmentation.definition.ProfileCondition;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.SegmentCondition;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.TimeUnitStart;
import io.cdpkit.segmentation.definition.TraitCondition;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a definition from JSON, collecting every violation it can find in one pass.
 *
 * <p>The text is first parsed into plain values (objects keep their first value for a repeated
 * key, which is a violation; integers become {@link Long}, or {@link BigDecimal} beyond a long;
 * other numbers {@link BigDecimal}, exactly as written). A syntax error, or JSON nested more than
 * {@value #MAX_JSON_NESTING} levels, ends the read with a single violation at {@code ""}. The
 * values are then decoded top-down: a broken part is reported and left out, its siblings are
 * still read, and the definition is built only when nothing was reported.
 *
 * <p>Not thread-safe: one instance per read (the static {@link #read(String)} makes one).
 */
public final class DefinitionReader {
  /** Deepest nesting of JSON objects and arrays; deeper text is not read at all. */
  public static final int MAX_JSON_NESTING = 256;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_JSON_NESTING).build())
      .build();

  private static final String TYPES =
      "and, or, not, trait, computed, profile, identifier, consent, segment, event, notFollowedBy";
  private static final String OPS =
      "=, !=, <, <=, >, >=, between, in, contains, starts_with, regex, exists, missing";

  private final List<Violation> out = new ArrayList<>();
  private int nodes;

  private DefinitionReader() {}

  /**
   * Reads a definition.
   *
   * @throws DefinitionValidationException listing every violation found
   */
  public static SegmentDefinition read(String json) {
    Objects.requireNonNull(json, "json");
    DefinitionReader r = new DefinitionReader();
    SegmentDefinition d = r.document(json);
    if (!r.out.isEmpty() || d == null) {
      throw new DefinitionValidationException(
          r.out.isEmpty() ? List.of(new Violation("", "is not a definition")) : r.out);
    }
    return d;
  }

  private void add(String pointer, String message) {
    out.add(new Violation(pointer, message));
  }

  // ---------------------------------------------------------------- the text and its values

  /** The length of {@code s} in UTF-8 (an unpaired surrogate counting 3, as if replaced). */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Marks a failed parse. */
  private static final Object FAILED = new Object();

  private @Nullable Object parse(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() == null) {
        add("", "is empty");
        return FAILED;
      }
      Object v = value(p, "");
      if (p.nextToken() != null) {
        add("", "holds more than one JSON value");
        return FAILED;
      }
      return v;
    } catch (StreamConstraintsException ex) {
      add("", "is nested more than " + MAX_JSON_NESTING + " levels of JSON deep");
      return FAILED;
    } catch (JsonProcessingException ex) {
      JsonLocation l = ex.getLocation();
      String why = ex.getOriginalMessage();
      if (why != null && why.length() > 200) {
        why = why.substring(0, 200) + "...";
      }
      add("", "is not valid JSON" + (l == null ? "" : " at line " + l.getLineNr() + ", column "
          + l.getColumnNr()) + (why == null ? "" : ": " + why));
      return FAILED;
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex); // reading a String does not fail
    }
  }

  private @Nullable Object value(JsonParser p, String pointer) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        for (JsonToken k = p.nextToken(); k == JsonToken.FIELD_NAME; k = p.nextToken()) {
          String key = p.currentName();
          p.nextToken();
          String at = pointer + "/" + escape(key);
          Object v = value(p, at);
          if (map.containsKey(key)) {
            add(at, "is a duplicate key");
          } else {
            map.put(key, v);
          }
        }
        return map;
      }
      case START_ARRAY: {
        List<@Nullable Object> list = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          list.add(value(p, pointer + "/" + list.size()));
        }
        return list;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT: {
        JsonParser.NumberType nt = p.getNumberType();
        if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
          return p.getLongValue();
        }
        return new BigDecimal(p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT:
        try {
          return p.getDecimalValue();
        } catch (NumberFormatException ex) {
          // An exponent beyond an int (1E4008426183): BigDecimal cannot hold it. Found by
          // fuzzing; Jackson's message quotes the number, so it is not passed on.
          add(pointer, "is a number whose exponent is out of range");
          return FAILED;
        }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  /** An RFC 6901 reference token for {@code key}. */
  public static String escape(String key) {
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      return key;
    }
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String jsonType(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Long || v instanceof BigDecimal) {
      return "a number";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    return "an object";
  }

  /** An object being decoded: its values and its pointer. */
  private final class Obj {
    final Map<?, ?> map;
    final String pointer;

    Obj(Map<?, ?> map, String pointer) {
      this.map = map;
      this.pointer = pointer;
    }

    boolean has(String key) {
      return map.containsKey(key);
    }

    @Nullable Object get(String key) {
      return map.get(key);
    }

    String at(String key) {
      return pointer + "/" + escape(key);
    }

    /** Reports every key not in {@code keys}. */
    void allow(String what, String... keys) {
      List<String> known = List.of(keys);
      for (Object k : map.keySet()) {
        if (!known.contains(k)) {
          add(at((String) k), "is not a key of " + what + "; expected one of "
              + String.join(", ", keys));
        }
      }
    }

    @Nullable String string(String key, boolean required) {
      if (!has(key)) {
        if (required) {
          add(at(key), "is missing");
        }
        return null;
      }
      Object v = get(key);
      if (v instanceof String s) {
        return s;
      }
      add(at(key), "must be a string, not " + jsonType(v));
      return null;
    }

    @Nullable Long integer(String key, boolean required) {
      if (!has(key)) {
        if (required) {
          add(at(key), "is missing");
        }
        return null;
      }
      Object v = get(key);
      if (v instanceof Long n) {
        return n;
      }
      if (v instanceof BigDecimal) {
        add(at(key), "must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE);
      } else {
        add(at(key), "must be an integer, not " + jsonType(v));
      }
      return null;
    }

    @Nullable List<?> array(String key, boolean required) {
      if (!has(key)) {
        if (required) {
          add(at(key), "is missing");
        }
        return null;
      }
      Object v = get(key);
      if (v instanceof List<?> l) {
        return l;
      }
      add(at(key), "must be an array, not " + jsonType(v));
      return null;
    }

    @Nullable Obj object(String key, boolean required) {
      if (!has(key)) {
        if (required) {
          add(at(key), "is missing");
        }
        return null;
      }
      Object v = get(key);
      if (v instanceof Map<?, ?> m) {
        return new Obj(m, at(key));
      }
      add(at(key), "must be an object, not " + jsonType(v));
      return null;
    }
  }

  // ---------------------------------------------------------------- the definition

  private @Nullable SegmentDefinition document(String json) {
    long max = DefinitionLimits.MAX_JSON_BYTES;
    // A character is at least one byte: a longer text is too large whatever it holds.
    long bytes = json.length() > max ? json.length() : utf8Length(json);
    if (bytes > max) {
      add("", json.length() > max
          ? "is " + json.length() + " characters, more than the limit of " + max
              + " bytes of UTF-8 (256 KiB)"
          : "is " + bytes + " bytes of UTF-8, more than the limit of " + max + " (256 KiB)");
      return null;
    }
    Object tree = parse(json);
    if (tree == FAILED) {
      return null;
    }
    if (!(tree instanceof Map<?, ?> map)) {
      add("", "must be a JSON object, not " + jsonType(tree));
      return null;
    }
    Obj root = new Obj(map, "");
    if (!root.has("version")) {
      add("/version", "is missing; this reader knows version " + DefinitionWriter.VERSION);
    } else {
      Long version = root.integer("version", true);
      if (version != null && version != DefinitionWriter.VERSION) {
        add("/version", "version " + version + " is not supported; this reader knows version "
            + DefinitionWriter.VERSION);
        return null;
      }
    }
    root.allow("a segment definition", "version", "id", "name", "description", "condition");
    String id = root.string("id", true);
    report(root.at("id"), id == null ? null : Rules.segmentId(id));
    String name = root.has("name") ? root.string("name", false) : id;
    if (root.has("name") && name != null) {
      report(root.at("name"), Rules.name(name));
    }
    String description = root.string("description", false);
    if (description != null) {
      report(root.at("description"), Rules.description(description));
    }
    Condition condition = null;
    if (!root.has("condition")) {
      add("/condition", "is missing");
    } else {
      int first = out.size();
      condition = condition(root.get("condition"), "/condition", 1);
      if (nodes > DefinitionLimits.MAX_CONDITIONS) {
        // Before what was found inside, in document order.
        out.add(first, new Violation("/condition", Rules.tooMany(nodes)));
      }
    }
    if (!out.isEmpty() || id == null || name == null || condition == null) {
      return null;
    }
    Condition c = condition;
    return build("", () -> new SegmentDefinition(id, name, description, c));
  }

  private void report(String pointer, @Nullable String reason) {
    if (reason != null) {
      add(pointer, reason);
    }
  }

  /** Builds a record, reporting what it refuses at {@code pointer} (checks missed no rule). */
  private <T> @Nullable T build(String pointer, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException ex) {
      add(pointer, String.valueOf(ex.getMessage()));
      return null;
    }
  }

  // ---------------------------------------------------------------- conditions

  private @Nullable Condition condition(@Nullable Object v, String p, int depth) {
    nodes++;
    if (depth > DefinitionLimits.MAX_DEPTH) {
      add(p, Rules.tooDeep());
      return null;
    }
    if (!(v instanceof Map<?, ?> map)) {
      add(p, "must be an object (a condition), not " + jsonType(v));
      return null;
    }
    Obj o = new Obj(map, p);
    String type = o.string("type", true);
    if (type == null) {
      return null;
    }
    int before = out.size();
    Condition c = switch (type) {
      case "and", "or" -> logic(o, type, depth, before);
      case "not" -> not(o, depth, before);
      case "trait", "computed" -> trait(o, type, before);
      case "profile" -> profile(o, before);
      case "identifier" -> identifier(o, before);
      case "consent" -> consent(o, before);
      case "segment" -> segment(o, before);
      case "event" -> event(o, before);
      case "notFollowedBy" -> notFollowedBy(o, before);
      default -> {
        add(o.at("type"), "unknown type " + Rules.quote(type) + "; expected one of " + TYPES);
        yield null;
      }
    };
    return out.size() > before ? null : c;
  }

  private @Nullable Condition logic(Obj o, String type, int depth, int before) {
    o.allow("an " + type + " condition", "type", "conditions");
    List<?> arr = o.array("conditions", true);
    if (arr == null) {
      return null;
    }
    String ap = o.at("conditions");
    report(ap, Rules.children(arr.size()));
    List<Condition> cs = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      cs.add(condition(arr.get(i), ap + "/" + i, depth + 1));
    }
    if (out.size() > before) {
      return null;
    }
    return build(o.pointer, () -> type.equals("and") ? new And(cs) : new Or(cs));
  }

  private @Nullable Condition not(Obj o, int depth, int before) {
    o.allow("a not condition", "type", "condition");
    if (!o.has("condition")) {
      add(o.at("condition"), "is missing");
      return null;
    }
    Condition c = condition(o.get("condition"), o.at("condition"), depth + 1);
    return out.size() > before || c == null ? null : new Not(c);
  }

  private @Nullable Condition trait(Obj o, String type, int before) {
    o.allow("a " + type + " condition", "type", "name", "op", "value", "values");
    String name = o.string("name", true);
    if (name != null) {
      report(o.at("name"), type.equals("trait") ? Rules.traitPath(name) : Rules.traitName(name));
    }
    Operator op = operator(o);
    List<Operand> operands = operands(o, op, true);
    if (out.size() > before || name == null || op == null || operands == null) {
      return null;
    }
    return build(o.pointer, () -> type.equals("trait") ? new TraitCondition(name, op, operands)
        : new ComputedCondition(name, op, operands));
  }

  private @Nullable Condition profile(Obj o, int before) {
    o.allow("a profile condition", "type", "field", "currency", "op", "value", "values");
    String f = o.string("field", true);
    ProfileField field = null;
    if (f != null) {
      Optional<ProfileField> known = ProfileField.byJsonName(f);
      if (known.isEmpty()) {
        List<String> names = new ArrayList<>();
        for (ProfileField pf : ProfileField.values()) {
          names.add(pf.jsonName());
        }
        add(o.at("field"), "unknown field " + Rules.quote(f) + "; expected one of "
            + String.join(", ", names));
      } else {
        field = known.get();
      }
    }
    String currency = o.string("currency", false);
    if (field != null && (currency != null || !o.has("currency"))) {
      report(o.at("currency"), Rules.currencyFor(field, currency));
    } else if (currency != null) {
      report(o.at("currency"), Rules.currency(currency));
    }
    Operator op = operator(o);
    List<Operand> operands = operands(o, op, true);
    if (out.size() > before || field == null || op == null || operands == null) {
      return null;
    }
    ProfileField fd = field;
    return build(o.pointer, () -> new ProfileCondition(fd, currency, op, operands));
  }

  private @Nullable Condition identifier(Obj o, int before) {
    o.allow("an identifier condition", "type", "identifierType");
    String t = o.string("identifierType", true);
    if (t != null) {
      report(o.at("identifierType"), Rules.identifierType(t));
    }
    if (out.size() > before || t == null) {
      return null;
    }
    return build(o.pointer, () -> new IdentifierCondition(t));
  }

  private @Nullable Condition consent(Obj o, int before) {
    o.allow("a consent condition", "type", "purpose", "channel");
    String purpose = o.string("purpose", true);
    if (purpose != null) {
      report(o.at("purpose"), Rules.consentPart(purpose));
    }
    String channel = o.string("channel", true);
    if (channel != null) {
      report(o.at("channel"), Rules.consentPart(channel));
    }
    if (out.size() > before || purpose == null || channel == null) {
      return null;
    }
    return build(o.pointer, () -> new ConsentCondition(purpose, channel));
  }

  private @Nullable Condition segment(Obj o, int before) {
    o.allow("a segment condition", "type", "segment");
    String s = o.string("segment", true);
    if (s != null) {
      report(o.at("segment"), Rules.segmentId(s));
    }
    if (out.size() > before || s == null) {
      return null;
    }
    return build(o.pointer, () -> new SegmentCondition(s));
  }

  private @Nullable Condition event(Obj o, int before) {
    o.allow("an event condition", "type", "events", "where", "count", "within", "between");
    EventFilter filter = filter(o);
    CountOperator count = CountOperator.AT_LEAST;
    long n = 1;
    Obj c = o.object("count", false);
    if (c != null) {
      c.allow("a count", "op", "value");
      String s = c.string("op", true);
      if (s != null) {
        Optional<CountOperator> known = CountOperator.bySymbol(s);
        if (known.isEmpty()) {
          add(c.at("op"), "unknown count op " + Rules.quote(s) + "; expected one of >=, <=, =");
        } else {
          count = known.get();
        }
      }
      Long value = c.integer("value", true);
      if (value != null) {
        report(c.at("value"), Rules.count(value));
        n = value;
      }
    }
    EventWindow window = window(o);
    if (out.size() > before || filter == null || window == null) {
      return null;
    }
    CountOperator co = count;
    long cn = n;
    return build(o.pointer, () -> new EventCondition(filter, co, cn, window));
  }

  private @Nullable EventWindow window(Obj o) {
    boolean within = o.has("within");
    boolean between = o.has("between");
    if (within && between) {
      add(o.at("between"), "is not allowed next to within: give one of within and between");
      return null;
    }
    if (!within && !between) {
      add(o.at("within"), "is missing: an event condition needs within or between");
      return null;
    }
    if (within) {
      Obj w = o.object("within", true);
      if (w == null) {
        return null;
      }
      w.allow("within", "days");
      Long days = w.integer("days", true);
      if (days == null) {
        return null;
      }
      String why = Rules.days(days);
      if (why != null) {
        add(w.at("days"), why);
        return null;
      }
      return new EventWindow.LastDays(days.intValue());
    }
    Obj b = o.object("between", true);
    if (b == null) {
      return null;
    }
    b.allow("between", "from", "to");
    LocalDate from = date(b, "from");
    LocalDate to = date(b, "to");
    if (from == null || to == null) {
      return null;
    }
    String why = Rules.dates(from, to);
    if (why != null) {
      add(b.pointer, why);
      return null;
    }
    return new EventWindow.Between(from, to);
  }

  private @Nullable LocalDate date(Obj o, String key) {
    String s = o.string(key, true);
    if (s == null) {
      return null;
    }
    try {
      return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE);
    } catch (DateTimeParseException ex) {
      add(o.at(key), "must be an ISO-8601 date (2026-01-31), not " + Rules.quote(s));
      return null;
    }
  }

  private @Nullable Condition notFollowedBy(Obj o, int before) {
    o.allow("a notFollowedBy condition", "type", "event", "followedBy", "wait", "withinDays");
    EventFilter event = null;
    Obj e = o.object("event", true);
    if (e != null) {
      e.allow("an event filter", "events", "where");
      event = filter(e);
    }
    EventFilter followedBy = null;
    Obj f = o.object("followedBy", true);
    if (f != null) {
      f.allow("an event filter", "events", "where");
      followedBy = filter(f);
    }
    Duration wait = null;
    String w = o.string("wait", true);
    if (w != null) {
      try {
        wait = Duration.parse(w);
        String why = Rules.waitDuration(wait);
        if (why != null) {
          add(o.at("wait"), why);
          wait = null;
        }
      } catch (DateTimeParseException ex) {
        add(o.at("wait"), "must be an ISO-8601 duration (PT24H), not " + Rules.quote(w));
      }
    }
    Integer withinDays = null;
    Long days = o.integer("withinDays", false);
    if (days != null) {
      String why = Rules.days(days);
      if (why != null) {
        add(o.at("withinDays"), why);
      } else {
        withinDays = days.intValue();
      }
    }
    if (wait != null && withinDays != null) {
      report(o.at("wait"), Rules.waitWithin(wait, withinDays));
    }
    if (out.size() > before || event == null || followedBy == null || wait == null) {
      return null;
    }
    EventFilter ev = event;
    EventFilter fb = followedBy;
    Duration wt = wait;
    Integer wd = withinDays;
    return build(o.pointer, () -> new NotFollowedByCondition(ev, fb, wt, wd));
  }

  // ---------------------------------------------------------------- event filters

  /** {@code events} and {@code where} of {@code o}. */
  private @Nullable EventFilter filter(Obj o) {
    int before = out.size();
    List<?> names = o.array("events", true);
    Set<String> set = new LinkedHashSet<>();
    if (names != null) {
      String ep = o.at("events");
      if (names.isEmpty()) {
        add(ep, "must name at least one event");
      } else if (names.size() > DefinitionLimits.MAX_EVENT_NAMES) {
        add(ep, "must name at most " + DefinitionLimits.MAX_EVENT_NAMES + " events, not "
            + names.size());
      }
      for (int i = 0; i < names.size(); i++) {
        Object v = names.get(i);
        if (!(v instanceof String s)) {
          add(ep + "/" + i, "must be a string, not " + jsonType(v));
          continue;
        }
        String why = Rules.eventName(s);
        if (why != null) {
          add(ep + "/" + i, why);
        } else if (!set.add(s)) {
          add(ep + "/" + i, "repeats event " + Rules.quote(s));
        }
      }
    }
    List<PropertyCondition> where = new ArrayList<>();
    List<?> arr = o.array("where", false);
    if (arr != null) {
      String wp = o.at("where");
      report(wp, Rules.whereSize(arr.size()));
      for (int i = 0; i < arr.size(); i++) {
        where.add(property(arr.get(i), wp + "/" + i));
      }
    }
    if (out.size() > before || names == null) {
      return null;
    }
    return build(o.pointer, () -> new EventFilter(set, where));
  }

  private @Nullable PropertyCondition property(@Nullable Object v, String p) {
    if (!(v instanceof Map<?, ?> map)) {
      add(p, "must be an object (a property condition), not " + jsonType(v));
      return null;
    }
    int before = out.size();
    Obj o = new Obj(map, p);
    String path = o.string("path", true);
    PropertyPath parsed = null;
    if (path != null) {
      try {
        parsed = PropertyPath.parse(path);
      } catch (IllegalArgumentException ex) {
        add(o.at("path"), String.valueOf(ex.getMessage()));
      }
    }
    if (parsed != null) {
      report(o.at("path"), Rules.catalogPath(parsed, o.has("any")));
    }
    if (o.has("any")) {
      o.allow("a property condition with any", "path", "any");
      if (parsed != null && parsed.special()) {
        add(o.at("path"), "any needs a path into properties, not " + path);
      }
      List<?> arr = o.array("any", true);
      List<PropertyCondition> cs = new ArrayList<>();
      if (arr != null) {
        String ap = o.at("any");
        if (arr.isEmpty() || arr.size() > PropertyCondition.MAX_NESTED) {
          add(ap, "must hold 1 to " + PropertyCondition.MAX_NESTED + " conditions, not "
              + arr.size());
        }
        for (int i = 0; i < arr.size(); i++) {
          cs.add(property(arr.get(i), ap + "/" + i));
        }
      }
      if (out.size() > before || path == null || arr == null) {
        return null;
      }
      return build(p, () -> PropertyCondition.any(path, cs));
    }
    o.allow("a property condition", "path", "op", "value", "values");
    Operator op = operator(o);
    List<Operand> operands = operands(o, op, false);
    if (out.size() > before || path == null || op == null || operands == null) {
      return null;
    }
    List<Object> values = new ArrayList<>(operands.size());
    for (Operand x : operands) {
      values.add(((Literal) x).value());
    }
    return build(p, () -> PropertyCondition.of(path, op, values));
  }

  // ---------------------------------------------------------------- operators and operands

  private @Nullable Operator operator(Obj o) {
    String s = o.string("op", true);
    if (s == null) {
      return null;
    }
    Optional<Operator> op = Operator.bySymbol(s);
    if (op.isEmpty()) {
      add(o.at("op"), "unknown op " + Rules.quote(s) + "; expected one of " + OPS);
      return null;
    }
    return op.get();
  }

  /**
   * The operands under {@code value} or {@code values}, as the operator needs them, checked with
   * {@link Rules#operands}. With an unknown operator, only reports what is wrong with them.
   */
  private @Nullable List<Operand> operands(Obj o, @Nullable Operator op, boolean relative) {
    int before = out.size();
    String vp = o.at("value");
    String vsp = o.at("values");
    if (op == null) {
      if (o.has("value")) {
        operand(o.get("value"), vp, relative);
      }
      if (o.get("values") instanceof List<?> l) {
        for (int i = 0; i < l.size(); i++) {
          operand(l.get(i), vsp + "/" + i, relative);
        }
      }
      return null;
    }
    String s = op.symbol();
    List<Operand> result = new ArrayList<>();
    String target;
    if (op.arity() == 0) {
      if (o.has("value")) {
        add(vp, "is not allowed: " + s + " takes no value");
      }
      if (o.has("values")) {
        add(vsp, "is not allowed: " + s + " takes no values");
      }
      return out.size() > before ? null : List.of();
    } else if (op.arity() == 1) {
      if (o.has("values")) {
        add(vsp, "is not allowed: " + s + " takes one operand, under \"value\"");
      }
      if (!o.has("value")) {
        if (!o.has("values")) {
          add(vp, "is missing: " + s + " takes one operand");
        }
        return null;
      }
      result.add(operand(o.get("value"), vp, relative));
      target = vp;
    } else {
      if (o.has("value")) {
        add(vp, "is not allowed: " + s + " takes an array of operands, under \"values\"");
      }
      if (!o.has("values")) {
        if (!o.has("value")) {
          add(vsp, "is missing: " + s + " takes an array of operands");
        }
        return null;
      }
      List<?> l = o.array("values", true);
      if (l == null) {
        return null;
      }
      for (int i = 0; i < l.size(); i++) {
        result.add(operand(l.get(i), vsp + "/" + i, relative));
      }
      target = vsp;
    }
    if (out.size() > before) {
      return null;
    }
    report(target, Rules.operands(op, result));
    return out.size() > before ? null : result;
  }

  private @Nullable Operand operand(@Nullable Object v, String p, boolean relative) {
    if (v instanceof String || v instanceof Long || v instanceof BigDecimal
        || v instanceof Boolean) {
      return new Literal(v);
    }
    if (!(v instanceof Map<?, ?> map)) {
      add(p, "must be a string, number, boolean, {\"date\": ...} or {\"instant\": ...}, not "
          + jsonType(v));
      return null;
    }
    Obj o = new Obj(map, p);
    if (map.size() != 1 || !(o.has("date") || o.has("instant"))) {
      add(p, "must hold exactly one key, date or instant");
      return null;
    }
    if (o.has("instant")) {
      String s = o.string("instant", true);
      if (s == null) {
        return null;
      }
      try {
        return new Literal(Instant.parse(s));
      } catch (DateTimeParseException ex) {
        add(o.at("instant"), "must be an ISO-8601 instant (2026-03-01T10:15:00Z), not "
            + Rules.quote(s));
        return null;
      }
    }
    RelativeDate r = relativeDate(o.object("date", true));
    if (r != null && !relative) {
      add(p, "is a relative date, which a where condition does not take");
      return null;
    }
    return r;
  }

  private @Nullable RelativeDate relativeDate(@Nullable Obj o) {
    if (o == null) {
      return null;
    }
    int before = out.size();
    o.allow("a relative date", "startOf", "offset", "zone");
    TimeUnitStart unit = null;
    String u = o.string("startOf", false);
    if (u != null) {
      unit = TimeUnitStart.byJsonName(u).orElse(null);
      if (unit == null) {
        add(o.at("startOf"), "unknown unit " + Rules.quote(u)
            + "; expected one of day, week, month, year");
      }
    }
    String offset = o.has("offset") ? o.string("offset", false) : "P0D";
    if (offset != null) {
      try {
        Rules.offset(offset);
      } catch (IllegalArgumentException ex) {
        add(o.at("offset"), String.valueOf(ex.getMessage()));
      }
    }
    ZoneId zone = null;
    String z = o.has("zone") ? o.string("zone", false) : "UTC";
    if (z != null) {
      try {
        zone = ZoneId.of(z);
      } catch (DateTimeException ex) {
        add(o.at("zone"), "must be a time zone id (UTC, Europe/Amsterdam, +01:00), not "
            + Rules.quote(z));
      }
    }
    if (out.size() > before || offset == null || zone == null) {
      return null;
    }
    TimeUnitStart un = unit;
    ZoneId zn = zone;
    return build(o.pointer, () -> new RelativeDate(un, offset, zn));
  }
}
