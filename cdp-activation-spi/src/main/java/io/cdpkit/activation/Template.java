package io.cdpkit.activation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.traits.PropertyPath;
import io.cdpkit.core.traits.TraitPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A message payload with placeholders, rendered per person when the message is sent.
 *
 * <p>A template is a JSON object. In its string values, {@code {{path}}} is replaced by a value
 * of the profile, the triggering event or the rule, and {@code {{path|fallback}}} uses
 * {@code fallback} when the value is absent. A string that is exactly one placeholder takes the
 * value's own type (a number stays a number); placeholders inside longer text are rendered as
 * text. A placeholder without a fallback whose value is absent suppresses the message (the
 * history says which field), rather than sending "Dear ,".
 *
 * <table>
 *   <caption>Paths</caption>
 *   <tr><td>{@code profile.id}</td><td>the profile's id</td></tr>
 *   <tr><td>{@code identifier.<type>}</td><td>the profile's first identifier of a type
 *       ({@code identifier.email})</td></tr>
 *   <tr><td>{@code trait.<name>}, {@code trait.<path>}</td><td>a trait
 *       ({@code trait.firstName}), or a value inside a nested trait ({@code trait.address.street};
 *       see {@link TraitPath}: a trait whose whole name is the path is read first; through a
 *       list, {@code trait.addresses[].city}, the first value)</td></tr>
 *   <tr><td>{@code computed.<name>}</td><td>a computed trait (must be declared)</td></tr>
 *   <tr><td>{@code profile.<field>}</td><td>{@code orderCount}, {@code firstSeen},
 *       {@code lastSeen}, {@code customerSince}, {@code favouriteStore},
 *       {@code favouriteChannel}, {@code lastOrder.id}, {@code lastOrder.time},
 *       {@code lastOrder.value}, {@code totalSpend.<currency>},
 *       {@code averageOrderValue.<currency>}; amounts as decimal text, instants as ISO-8601
 *       </td></tr>
 *   <tr><td>{@code event.name}, {@code event.messageId}, {@code event.time},
 *       {@code event.properties.<property path>}</td><td>the triggering event (event triggers
 *       only), for example {@code event.properties.products[].sku}: the first value; a
 *       {@code $catalog} step reads the workspace's catalog at the send
 *       ({@code event.properties.$catalog.name} for a {@code Product Viewed},
 *       {@code event.properties.products[].$catalog.brand} for an order)</td></tr>
 *   <tr><td>{@code trigger.segment}</td><td>the segment of a segment or schedule
 *       trigger</td></tr>
 *   <tr><td>{@code rule}</td><td>the rule's id</td></tr>
 * </table>
 *
 * <p>Limits: at most {@value #MAX_PLACEHOLDERS} placeholders, {@value #MAX_JSON_LENGTH}
 * characters of JSON.
 *
 * <p>Immutable.
 */
public final class Template {
  /** Most placeholders in one template. */
  public static final int MAX_PLACEHOLDERS = 200;
  /** Longest template, in characters of JSON. */
  public static final int MAX_JSON_LENGTH = 65_536;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}|]*)(?:\\|([^{}]*))?}}");
  /** The fields a {@code profile.} path may name, besides the per-currency ones. */
  public static final Set<String> PROFILE_FIELDS = Set.of("orderCount", "firstSeen",
      "lastSeen", "customerSince", "favouriteStore", "favouriteChannel", "lastOrder.id",
      "lastOrder.time", "lastOrder.value");
  /** The per-currency fields a {@code profile.} path may name. */
  public static final Pattern CURRENCY_FIELD =
      Pattern.compile("(totalSpend|averageOrderValue)\\.([A-Z]{3})");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,127}");

  /** An empty payload. */
  public static final Template EMPTY = new Template(Map.of());

  private final Map<String, Object> tree;
  private final Set<String> paths;
  private final boolean readsEvent;

  private Template(Map<String, Object> tree) {
    this.tree = tree;
    Set<String> p = new LinkedHashSet<>();
    collect(tree, p);
    this.paths = Collections.unmodifiableSet(p);
    this.readsEvent = p.stream().anyMatch(x -> x.startsWith("event."));
  }

  /**
   * A template from a JSON object.
   *
   * @throws IllegalArgumentException when the text is not a JSON object, is too long, or names
   *     an unknown path (the message names it and its JSON pointer)
   */
  public static Template parse(String json) {
    Objects.requireNonNull(json, "json");
    if (json.length() > MAX_JSON_LENGTH) {
      throw new IllegalArgumentException(
          "template: must be at most " + MAX_JSON_LENGTH + " characters");
    }
    Object tree;
    try {
      tree = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("template: not JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
    if (!(tree instanceof Map)) {
      throw new IllegalArgumentException("template: must be a JSON object");
    }
    return of(cast(tree));
  }

  /**
   * A template from a tree of maps, lists, strings, numbers, booleans and nulls.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static Template of(Map<String, ?> tree) {
    Map<String, Object> copy = copyObject(tree, "");
    Template t = new Template(copy);
    if (t.paths.size() > MAX_PLACEHOLDERS) {
      throw new IllegalArgumentException(
          "template: more than " + MAX_PLACEHOLDERS + " placeholders");
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }

  private static Map<String, Object> copyObject(Map<String, ?> m, String pointer) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : m.entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "template key");
      out.put(key, copy(e.getValue(), pointer + "/" + key.replace("~", "~0").replace("/", "~1")));
    }
    return Collections.unmodifiableMap(out);
  }

  private static @Nullable Object copy(@Nullable Object v, String pointer) {
    if (v == null || v instanceof Boolean || v instanceof Number) {
      return v;
    }
    if (v instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      while (m.find()) {
        String problem = checkPath(m.group(1).trim());
        if (problem != null) {
          throw new IllegalArgumentException("template" + pointer + ": " + problem);
        }
      }
      return s;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> typed = new LinkedHashMap<>();
      m.forEach((k, x) -> typed.put(String.valueOf(k), x));
      return copyObject(typed, pointer);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        out.add(copy(l.get(i), pointer + "/" + i));
      }
      return Collections.unmodifiableList(out);
    }
    throw new IllegalArgumentException("template" + pointer + ": unsupported value of type "
        + v.getClass().getSimpleName());
  }

  /** Why a path is not known, or {@code null} when it is. */
  private static @Nullable String checkPath(String path) {
    if (path.equals("profile.id") || path.equals("rule") || path.equals("trigger.segment")
        || path.equals("event.name") || path.equals("event.messageId")
        || path.equals("event.time")) {
      return null;
    }
    if (path.startsWith("profile.")) {
      String f = path.substring(8);
      return PROFILE_FIELDS.contains(f) || CURRENCY_FIELD.matcher(f).matches() ? null
          : "unknown profile field '" + path + "'";
    }
    if (path.startsWith("trait.")) {
      String name = path.substring(6);
      if (!TraitPath.isPath(name)) {
        return NAME.matcher(name).matches() ? null : "bad name in '" + path + "'";
      }
      try {
        TraitPath.parse(name);
        return null;
      } catch (IllegalArgumentException e) {
        return "bad trait path in '" + path + "': " + e.getMessage();
      }
    }
    for (String ns : List.of("identifier.", "computed.")) {
      if (path.startsWith(ns)) {
        return NAME.matcher(path.substring(ns.length())).matches() ? null
            : "bad name in '" + path + "'";
      }
    }
    if (path.startsWith("event.properties.")) {
      try {
        PropertyPath.parse(path.substring(17));
        return null;
      } catch (IllegalArgumentException e) {
        return "bad property path in '" + path + "': " + e.getMessage();
      }
    }
    return "unknown field '" + path + "'";
  }

  private static void collect(@Nullable Object v, Set<String> out) {
    if (v instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      while (m.find()) {
        out.add(m.group(1).trim());
      }
    } else if (v instanceof Map<?, ?> m) {
      m.values().forEach(x -> collect(x, out));
    } else if (v instanceof List<?> l) {
      l.forEach(x -> collect(x, out));
    }
  }

  /** Whether a placeholder reads the triggering event ({@code event.} paths). */
  public boolean readsEvent() {
    return readsEvent;
  }

  /** The paths its placeholders name, in order of first use. */
  public Set<String> paths() {
    return paths;
  }

  /** The template as written. */
  public Map<String, Object> tree() {
    return tree;
  }

  /**
   * Thrown when a placeholder without a fallback has no value.
   *
   * <p>Immutable.
   */
  public static final class MissingValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    MissingValueException(String path) {
      super("no value for '" + path + "'", null, false, false);
      this.path = path;
    }

    /** The placeholder's path. */
    public String path() {
      return path;
    }
  }

  /**
   * Renders the template, reading each placeholder's value from {@code values} (empty when
   * absent).
   *
   * @throws MissingValueException when a placeholder without a fallback has no value
   */
  public Map<String, Object> render(Function<String, Optional<Object>> values) {
    return renderObject(tree, values);
  }

  private static Map<String, Object> renderObject(Map<String, Object> m, Function<String, Optional<Object>> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, renderValue(v, values)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static @Nullable Object renderValue(@Nullable Object v, Function<String, Optional<Object>> values) {
    if (v instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      if (m.matches()) {
        Optional<Object> x = values.apply(m.group(1).trim());
        if (x.isPresent()) {
          return x.get();
        }
        if (m.group(2) == null) {
          throw new MissingValueException(m.group(1).trim());
        }
        return m.group(2);
      }
      m.reset();
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        Optional<Object> x = values.apply(m.group(1).trim());
        String text;
        if (x.isPresent()) {
          text = String.valueOf(x.get());
        } else if (m.group(2) != null) {
          text = m.group(2);
        } else {
          throw new MissingValueException(m.group(1).trim());
        }
        m.appendReplacement(out, Matcher.quoteReplacement(text));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (v instanceof Map<?, ?> map) {
      return renderObject((Map<String, Object>) map, values);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) {
        out.add(renderValue(x, values));
      }
      return out;
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Template t && tree.equals(t.tree);
  }

  @Override
  public int hashCode() {
    return tree.hashCode();
  }

  /** The JSON of the template; it holds no personal data, only placeholders. */
  @Override
  public String toString() {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      return tree.toString();
    }
  }
}
