package io.cdpkit.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A declarative mapping from the rows of a CSV or JSON-lines file to events, read from JSON
 * (the language is described in the examples README; {@code uci-online-retail.json} is the
 * shipped example). Parsing checks the whole file and names the offending place as a JSON
 * pointer. Immutable.
 */
final class Mapping {
  /** The resource name of the shipped UCI Online Retail mapping. */
  static final String UCI_RESOURCE = "uci-online-retail.json";
  /** Shorthands accepted for {@code --mapping}. */
  static final Map<String, String> SHIPPED = Map.of("uci", UCI_RESOURCE,
      "uci-online-retail", UCI_RESOURCE);

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern REF = Pattern.compile("\\{([^{}]*)}");
  private static final Set<String> TOP = Set.of("name", "description", "format", "header",
      "values", "skip", "checks", "group", "events");

  final String name;
  final RowSource.@Nullable Format format;
  final List<String> header;
  final List<ValueDef> values;
  final List<Skip> skips;
  final List<Check> checks;
  final @Nullable GroupDef group;
  final List<EventDef> events;

  private Mapping(String name, RowSource.@Nullable Format format, List<String> header,
      List<ValueDef> values, List<Skip> skips, List<Check> checks, @Nullable GroupDef group,
      List<EventDef> events) {
    this.name = name;
    this.format = format;
    this.header = List.copyOf(header);
    this.values = List.copyOf(values);
    this.skips = List.copyOf(skips);
    this.checks = List.copyOf(checks);
    this.group = group;
    this.events = List.copyOf(events);
  }

  /** The types of a value. */
  enum Type { STRING, INTEGER, DECIMAL, TIME, BOOLEAN }

  /**
   * A named value read from one column: text checked against a pattern (its first group is the
   * value, when it has one), then converted to its type.
   */
  record ValueDef(String name, int index, String column, Type type, boolean required,
      @Nullable Pattern pattern, @Nullable DateTimeFormatter timeFormat, @Nullable String
      formatText, ZoneId zone, @Nullable BigDecimal min) {

    /** The typed value of the raw text; null when empty and not required. */
    @Nullable Object parse(@Nullable String raw, long line) {
      if (raw == null || raw.isBlank()) {
        if (required) {
          throw new BadRow(line, column, raw == null ? "is missing" : "is empty");
        }
        return null;
      }
      String s = raw;
      if (pattern != null) {
        Matcher m = pattern.matcher(s);
        if (!m.matches()) {
          throw new BadRow(line, column, "does not match the pattern " + pattern.pattern());
        }
        if (m.groupCount() > 0) {
          s = m.group(1);
          if (s == null) {
            return null;
          }
        }
      }
      return switch (type) {
        case STRING -> s;
        case INTEGER -> {
          try {
            yield checkMin(Long.parseLong(s.strip()), line);
          } catch (NumberFormatException e) {
            throw new BadRow(line, column, "is not a whole number");
          }
        }
        case DECIMAL -> {
          try {
            yield checkMin(new BigDecimal(s.strip()), line);
          } catch (NumberFormatException e) {
            throw new BadRow(line, column, "is not a number");
          }
        }
        case BOOLEAN -> switch (s.strip().toLowerCase(Locale.ROOT)) {
          case "true", "yes", "1" -> Boolean.TRUE;
          case "false", "no", "0" -> Boolean.FALSE;
          default -> throw new BadRow(line, column, "is not true or false");
        };
        case TIME -> time(s.strip(), line);
      };
    }

    private Object checkMin(Object n, long line) {
      if (min != null) {
        BigDecimal d = n instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) n;
        if (d.compareTo(min) < 0) {
          throw new BadRow(line, column, min.signum() == 0 ? "is negative"
              : "is below the minimum " + min.toPlainString());
        }
      }
      return n;
    }

    private Instant time(String s, long line) {
      try {
        if (timeFormat == null) {
          return OffsetDateTime.parse(s).toInstant();
        }
        // Asks the parsed fields what they hold rather than trying types (parseBest throws
        // and catches once per row for each type that does not fit).
        TemporalAccessor t = timeFormat.parse(s);
        if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
          return OffsetDateTime.from(t).toInstant();
        }
        if (t.isSupported(ChronoField.HOUR_OF_DAY)) {
          return LocalDateTime.from(t).atZone(zone).toInstant();
        }
        return LocalDate.from(t).atStartOfDay(zone).toInstant();
      } catch (DateTimeException e) {
        throw new BadRow(line, column, "is not a time like "
            + (formatText == null ? "2010-12-01T08:26:00Z" : formatText));
      }
    }
  }

  /** Rows meeting {@code when} are skipped and counted under {@code reason}. */
  record Skip(Expr when, String reason) {}

  /** Rows meeting {@code when} must meet {@code require}, else they are bad. */
  record Check(@Nullable Expr when, Expr require, String column, String reason) {}

  /** Rows are grouped by a key; {@code same} values must agree within a group. */
  record GroupDef(Expr by, List<ValueDef> same, @Nullable Expr order) {}

  /** One event built per row (or group) that meets {@code when}. */
  record EventDef(int index, EventType type, @Nullable Expr event, Expr messageId,
      @Nullable Expr when, @Nullable Expr once, @Nullable Expr userId,
      @Nullable Expr anonymousId, @Nullable Expr timestamp, Map<IdentifierType, Expr> identifiers,
      Expr.@Nullable MapOf properties, Expr.@Nullable MapOf traits, @Nullable Expr channel,
      @Nullable Expr source) {

    /**
     * The event for a row or group.
     *
     * @throws BadRow when a value is missing or the event is not acceptable
     */
    Event build(Expr.Ctx ctx) {
      try {
        return assemble(ctx);
      } catch (BadRow bad) {
        throw bad;
      } catch (RuntimeException e) {
        // The engine's builder names the field and the reason, never the value.
        throw new BadRow(ctx.line(), "event " + index, "cannot be built: " + e.getMessage());
      }
    }

    private Event assemble(Expr.Ctx ctx) {
      Event.Builder b = switch (type) {
        case TRACK -> Event.track(text(event, ctx, "event"));
        case IDENTIFY -> Event.identify();
        case PAGE -> Event.page(optText(event, ctx));
        case SCREEN -> Event.screen(optText(event, ctx));
        default -> throw new IllegalStateException("type " + type);
      };
      b.messageId(text(messageId, ctx, "messageId"));
      b.userId(optText(userId, ctx));
      b.anonymousId(optText(anonymousId, ctx));
      for (Map.Entry<IdentifierType, Expr> e : identifiers.entrySet()) {
        String v = optText(e.getValue(), ctx);
        if (v != null) {
          b.identifier(e.getKey(), v);
        }
      }
      if (timestamp != null) {
        Object t = timestamp.eval(ctx);
        if (t != null && !(t instanceof Instant)) {
          throw new BadRow(ctx.line(), timestamp.column(), "is not a time for the timestamp");
        }
        b.timestamp((Instant) t);
      }
      if (properties != null) {
        b.properties(properties.eval(ctx));
      }
      if (traits != null) {
        b.traits(traits.eval(ctx));
      }
      b.channel(optText(channel, ctx));
      b.source(optText(source, ctx));
      return b.build();
    }

    private static String text(@Nullable Expr e, Expr.Ctx ctx, String field) {
      String s = optText(e, ctx);
      if (s == null || s.isEmpty()) {
        throw new BadRow(ctx.line(), e == null ? field : e.column(), "is empty");
      }
      return s;
    }

    private static @Nullable String optText(@Nullable Expr e, Expr.Ctx ctx) {
      if (e == null) {
        return null;
      }
      Object v = e.eval(ctx);
      return v == null ? null : Expr.text(v);
    }
  }

  /**
   * Reads a mapping: {@code uci} (or {@code uci-online-retail}) for the shipped one, else a
   * file.
   *
   * @throws MappingException when the mapping is not usable, naming where and why
   * @throws IOException when the file cannot be read
   */
  static Mapping load(String nameOrPath) throws IOException {
    String resource = SHIPPED.get(nameOrPath);
    if (resource != null) {
      try (InputStream in = Mapping.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IOException("the shipped mapping " + resource + " is missing from the jar");
        }
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    Path file = Path.of(nameOrPath);
    if (!Files.isRegularFile(file)) {
      throw new IOException("mapping file " + file + " not found (or use --mapping uci for the "
          + "shipped UCI Online Retail mapping)");
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Reads a mapping from its JSON text.
   *
   * @throws MappingException when the mapping is not usable, naming where and why
   */
  static Mapping parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new MappingException("", "is not valid JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new MappingException("", "must be a JSON object");
    }
    unknownKeys(root, "", TOP);
    String name = root.path("name").asText("mapping");
    RowSource.Format format = null;
    if (root.has("format")) {
      try {
        format = RowSource.Format.parse(string(root, "/format"), "format");
      } catch (IllegalArgumentException e) {
        throw new MappingException("/format", "must be csv or jsonl");
      }
    }
    List<String> header = new ArrayList<>();
    if (root.has("header")) {
      JsonNode h = root.get("header");
      if (!h.isArray() || h.isEmpty()) {
        throw new MappingException("/header", "must be a non-empty list of column names");
      }
      for (int i = 0; i < h.size(); i++) {
        if (!h.get(i).isTextual()) {
          throw new MappingException("/header/" + i, "must be a column name");
        }
        header.add(h.get(i).asText());
      }
    }
    JsonNode vs = root.get("values");
    if (vs == null || !vs.isObject() || vs.isEmpty()) {
      throw new MappingException("/values", "is required: an object of named values");
    }
    List<ValueDef> values = new ArrayList<>();
    Map<String, ValueDef> byName = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vs.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ValueDef v = value(e.getKey(), values.size(), e.getValue(), "/values/" + e.getKey());
      values.add(v);
      byName.put(v.name(), v);
    }
    if (!header.isEmpty()) {
      for (ValueDef v : values) {
        if (!header.contains(v.column())) {
          throw new MappingException("/values/" + v.name() + "/column",
              "names " + v.column() + ", which is not in /header");
        }
      }
    }
    Parser p = new Parser(byName);
    List<Skip> skips = new ArrayList<>();
    JsonNode sk = root.path("skip");
    if (!sk.isMissingNode()) {
      requireArray(sk, "/skip");
      for (int i = 0; i < sk.size(); i++) {
        String at = "/skip/" + i;
        unknownKeys(sk.get(i), at, Set.of("when", "reason"));
        skips.add(new Skip(p.expr(required(sk.get(i), at, "when"), at + "/when", false),
            string(sk.get(i), at + "/reason")));
      }
    }
    List<Check> checks = new ArrayList<>();
    JsonNode ch = root.path("checks");
    if (!ch.isMissingNode()) {
      requireArray(ch, "/checks");
      for (int i = 0; i < ch.size(); i++) {
        String at = "/checks/" + i;
        JsonNode c = ch.get(i);
        unknownKeys(c, at, Set.of("when", "require", "column", "reason"));
        checks.add(new Check(c.has("when") ? p.expr(c.get("when"), at + "/when", false) : null,
            p.expr(required(c, at, "require"), at + "/require", false),
            string(c, at + "/column"), string(c, at + "/reason")));
      }
    }
    GroupDef group = null;
    JsonNode g = root.path("group");
    if (!g.isMissingNode()) {
      unknownKeys(g, "/group", Set.of("by", "same", "order"));
      List<ValueDef> same = new ArrayList<>();
      JsonNode sm = g.path("same");
      if (!sm.isMissingNode()) {
        requireArray(sm, "/group/same");
        for (int i = 0; i < sm.size(); i++) {
          ValueDef v = byName.get(sm.get(i).asText());
          if (v == null) {
            throw new MappingException("/group/same/" + i, "names no value of /values");
          }
          same.add(v);
        }
      }
      group = new GroupDef(p.expr(required(g, "/group", "by"), "/group/by", false), same,
          g.has("order") ? p.expr(g.get("order"), "/group/order", true) : null);
    }
    JsonNode evs = root.get("events");
    if (evs == null || !evs.isArray() || evs.isEmpty()) {
      throw new MappingException("/events", "is required: a non-empty list of events");
    }
    List<EventDef> events = new ArrayList<>();
    for (int i = 0; i < evs.size(); i++) {
      events.add(p.event(i, evs.get(i), "/events/" + i, group != null));
    }
    return new Mapping(name, format, header, values, skips, checks, group, events);
  }

  /** The columns the mapping reads, in value order. */
  Set<String> columns() {
    Set<String> out = new LinkedHashSet<>();
    values.forEach(v -> out.add(v.column()));
    return out;
  }

  private static ValueDef value(String name, int index, JsonNode n, String at) {
    if (!NAME.matcher(name).matches()) {
      throw new MappingException(at, "a value's name must match [A-Za-z_][A-Za-z0-9_]*");
    }
    if (n.isTextual()) {
      return new ValueDef(name, index, n.asText(), Type.STRING, false, null, null, null,
          ZoneOffset.UTC, null);
    }
    if (!n.isObject()) {
      throw new MappingException(at, "must be a column name or an object with \"column\"");
    }
    unknownKeys(n, at, Set.of("column", "type", "required", "pattern", "format", "zone",
        "min"));
    String column = string(n, at + "/column");
    Type type = Type.STRING;
    if (n.has("type")) {
      String t = string(n, at + "/type");
      try {
        type = Type.valueOf(t.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new MappingException(at + "/type",
            "must be one of string, integer, decimal, time, boolean");
      }
    }
    Pattern pattern = null;
    if (n.has("pattern")) {
      try {
        pattern = Pattern.compile(string(n, at + "/pattern"));
      } catch (PatternSyntaxException e) {
        throw new MappingException(at + "/pattern", "is not a regular expression: "
            + e.getDescription());
      }
    }
    DateTimeFormatter format = null;
    String formatText = null;
    if (n.has("format")) {
      if (type != Type.TIME) {
        throw new MappingException(at + "/format", "is only for \"type\": \"time\"");
      }
      formatText = string(n, at + "/format");
      try {
        format = DateTimeFormatter.ofPattern(formatText, Locale.ROOT);
      } catch (IllegalArgumentException e) {
        throw new MappingException(at + "/format", "is not a date-time pattern: "
            + e.getMessage());
      }
    }
    ZoneId zone = ZoneOffset.UTC;
    if (n.has("zone")) {
      try {
        zone = ZoneId.of(string(n, at + "/zone"));
      } catch (DateTimeException e) {
        throw new MappingException(at + "/zone", "is not a time zone id (UTC, Europe/London)");
      }
    }
    BigDecimal min = null;
    if (n.has("min")) {
      if (!n.get("min").isNumber() || (type != Type.INTEGER && type != Type.DECIMAL)) {
        throw new MappingException(at + "/min", "must be a number, for an integer or decimal");
      }
      min = n.get("min").decimalValue();
    }
    boolean required = n.path("required").asBoolean(false);
    if (n.has("required") && !n.get("required").isBoolean()) {
      throw new MappingException(at + "/required", "must be true or false");
    }
    return new ValueDef(name, index, column, type, required, pattern, format, formatText, zone,
        min);
  }

  /** Turns JSON into expressions, knowing the value names. */
  private static final class Parser {
    private static final Set<String> UNARY = Set.of("$abs", "$empty", "$not", "$lines", "$sum",
        "$min", "$max");
    private static final Set<String> BINARY = Set.of("$startsWith", "$eq", "$gt", "$gte", "$lt",
        "$lte");
    private static final Set<String> VARIADIC = Set.of("$and", "$or", "$multiply", "$add");
    private static final Set<String> AGGREGATES = Set.of("$lines", "$sum", "$min", "$max",
        "$count");

    private final Map<String, ValueDef> values;

    Parser(Map<String, ValueDef> values) {
      this.values = values;
    }

    /** An expression; aggregates only where {@code group} (and never inside another). */
    Expr expr(JsonNode n, String at, boolean group) {
      if (n.isTextual()) {
        return template(n.asText(), at);
      }
      if (n.isIntegralNumber()) {
        if (!n.canConvertToLong()) {
          throw new MappingException(at, "is too large a whole number");
        }
        return new Expr.Literal(n.asLong());
      }
      if (n.isNumber()) {
        return new Expr.Literal(n.decimalValue());
      }
      if (n.isBoolean()) {
        return new Expr.Literal(n.asBoolean());
      }
      if (n.isNull()) {
        return new Expr.Literal(null);
      }
      if (n.isArray()) {
        List<Expr> items = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
          items.add(expr(n.get(i), at + "/" + i, group));
        }
        return new Expr.ListOf(items);
      }
      Map<String, JsonNode> fields = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
      boolean op = fields.keySet().stream().anyMatch(k -> k.startsWith("$"));
      if (!op) {
        Map<String, Expr> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> out.put(k, expr(v, at + "/" + k, group)));
        return new Expr.MapOf(out);
      }
      if (fields.size() != 1) {
        throw new MappingException(at, "an operator object has exactly one key");
      }
      String name = fields.keySet().iterator().next();
      JsonNode arg = fields.get(name);
      String argAt = at + "/" + name.replace("~", "~0").replace("/", "~1");
      if (AGGREGATES.contains(name) && !group) {
        throw new MappingException(argAt, name + " works over the rows of a group: it needs "
            + "\"group\" and cannot sit inside another $lines, $sum, $min, $max, $count");
      }
      boolean inner = group && !AGGREGATES.contains(name);
      List<Expr> args = new ArrayList<>();
      if (name.equals("$count")) {
        return new Expr.Op(name, args);
      }
      if (UNARY.contains(name)) {
        args.add(expr(arg, argAt, inner));
      } else if (BINARY.contains(name) || VARIADIC.contains(name) || name.equals("$if")) {
        if (!arg.isArray()) {
          throw new MappingException(argAt, name + " takes a list of arguments");
        }
        int min = VARIADIC.contains(name) ? 2 : name.equals("$if") ? 2 : 2;
        int max = BINARY.contains(name) ? 2 : name.equals("$if") ? 3 : Integer.MAX_VALUE;
        if (arg.size() < min || arg.size() > max) {
          throw new MappingException(argAt, name + " takes " + (min == max ? "" + min
              : max == Integer.MAX_VALUE ? "at least " + min : min + " or " + max)
              + " arguments");
        }
        for (int i = 0; i < arg.size(); i++) {
          args.add(expr(arg.get(i), argAt + "/" + i, inner));
        }
      } else {
        throw new MappingException(argAt, "unknown operator " + name + "; known: $lines, $sum, "
            + "$min, $max, $count, $abs, $multiply, $add, $empty, $startsWith, $eq, $gt, $gte, "
            + "$lt, $lte, $not, $and, $or, $if");
      }
      return new Expr.Op(name, args);
    }

    /** {@code "{price}"} alone is the typed value; other text with references is text. */
    Expr template(String s, String at) {
      Matcher m = REF.matcher(s);
      List<Object> parts = new ArrayList<>();
      int last = 0;
      while (m.find()) {
        ValueDef v = values.get(m.group(1));
        if (v == null) {
          throw new MappingException(at, "{" + m.group(1) + "} names no value of /values");
        }
        if (m.start() > last) {
          parts.add(s.substring(last, m.start()));
        }
        parts.add(new Expr.Ref(v.name(), v.index(), v.column()));
        last = m.end();
      }
      if (last < s.length()) {
        parts.add(s.substring(last));
      }
      for (Object part : parts) {
        if (part instanceof String text && (text.indexOf('{') >= 0 || text.indexOf('}') >= 0)) {
          throw new MappingException(at, "has an unmatched { or }");
        }
      }
      if (parts.size() == 1 && parts.get(0) instanceof Expr.Ref r) {
        return r;
      }
      if (parts.stream().noneMatch(x -> x instanceof Expr.Ref)) {
        return new Expr.Literal(s);
      }
      return new Expr.Template(parts);
    }

    EventDef event(int index, JsonNode n, String at, boolean group) {
      unknownKeys(n, at, Set.of("type", "event", "name", "messageId", "when", "once", "userId",
          "anonymousId", "timestamp", "identifiers", "properties", "traits", "channel",
          "source"));
      String t = n.path("type").asText("track");
      EventType type = switch (t) {
        case "track" -> EventType.TRACK;
        case "identify" -> EventType.IDENTIFY;
        case "page" -> EventType.PAGE;
        case "screen" -> EventType.SCREEN;
        default -> throw new MappingException(at + "/type",
            "must be track, identify, page or screen");
      };
      Expr event = null;
      String nameKey = n.has("event") ? "event" : n.has("name") ? "name" : null;
      if (nameKey != null) {
        event = expr(n.get(nameKey), at + "/" + nameKey, group);
      } else if (type == EventType.TRACK) {
        throw new MappingException(at + "/event", "is required for a track event");
      }
      if (!n.has("messageId")) {
        throw new MappingException(at + "/messageId", "is required: derive it from the row "
            + "(\"shop-{order}\") so that importing the file again stores nothing twice");
      }
      if (!n.has("userId") && !n.has("anonymousId") && !n.has("identifiers")) {
        throw new MappingException(at, "needs userId, anonymousId or identifiers");
      }
      Map<IdentifierType, Expr> ids = new LinkedHashMap<>();
      JsonNode idn = n.path("identifiers");
      if (!idn.isMissingNode()) {
        if (!idn.isObject()) {
          throw new MappingException(at + "/identifiers", "must be an object of type: value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = idn.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          IdentifierType idType;
          try {
            idType = IdentifierType.of(e.getKey());
          } catch (IllegalArgumentException ex) {
            throw new MappingException(at + "/identifiers/" + e.getKey(), ex.getMessage());
          }
          ids.put(idType, expr(e.getValue(), at + "/identifiers/" + e.getKey(), group));
        }
      }
      return new EventDef(index, type, event,
          expr(n.get("messageId"), at + "/messageId", group),
          opt(n, "when", at, group), opt(n, "once", at, group), opt(n, "userId", at, group),
          opt(n, "anonymousId", at, group), opt(n, "timestamp", at, group), ids,
          mapOf(n, "properties", at, group), mapOf(n, "traits", at, group),
          opt(n, "channel", at, group), opt(n, "source", at, group));
    }

    private @Nullable Expr opt(JsonNode n, String key, String at, boolean group) {
      return n.has(key) ? expr(n.get(key), at + "/" + key, group) : null;
    }

    private Expr.@Nullable MapOf mapOf(JsonNode n, String key, String at, boolean group) {
      if (!n.has(key)) {
        return null;
      }
      Expr e = expr(n.get(key), at + "/" + key, group);
      if (!(e instanceof Expr.MapOf m)) {
        throw new MappingException(at + "/" + key, "must be an object of name: expression");
      }
      return m;
    }
  }

  private static void unknownKeys(JsonNode n, String at, Set<String> known) {
    if (!n.isObject()) {
      throw new MappingException(at, "must be an object");
    }
    n.fieldNames().forEachRemaining(k -> {
      if (!known.contains(k)) {
        throw new MappingException(at + "/" + k, "is not a known key; known: "
            + known.stream().sorted().toList());
      }
    });
  }

  private static JsonNode required(JsonNode n, String at, String key) {
    JsonNode v = n.get(key);
    if (v == null) {
      throw new MappingException(at + "/" + key, "is required");
    }
    return v;
  }

  private static void requireArray(JsonNode n, String at) {
    if (!n.isArray()) {
      throw new MappingException(at, "must be a list");
    }
  }

  /** The text at a pointer whose last part is the key. */
  private static String string(JsonNode parent, String at) {
    String key = at.substring(at.lastIndexOf('/') + 1);
    JsonNode v = parent.get(key);
    if (v == null) {
      throw new MappingException(at, "is required");
    }
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new MappingException(at, "must be non-empty text");
    }
    return v.asText();
  }
}
