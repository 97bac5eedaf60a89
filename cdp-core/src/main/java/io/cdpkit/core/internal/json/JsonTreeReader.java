package io.cdpkit.core.internal.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.cdpkit.core.InvalidEventException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one JSON value from a {@link JsonParser} into plain Java values: {@code null},
 * {@link String}, {@link Boolean}, {@link Long} (integers that fit), {@link BigDecimal} (larger
 * integers and every number with a fraction or exponent, exactly as written), {@link List} and
 * {@link Map} (insertion-ordered).
 *
 * <p>Rule breaks inside the value do not stop the read: the first one is remembered as an
 * {@link InvalidEventException} whose pointer is relative to the value, the offending part is
 * skipped, and the parser is always left on the value's last token, so a caller reading a batch
 * can go on with the next message. The rules: containers nest at most {@code maxDepth} deep (the
 * value itself counting as 1), no object repeats a key, no string or key holds an unpaired UTF-16
 * surrogate (it could not be written back as UTF-8). Syntax errors are the parser's and end the
 * read with its exception.
 *
 * <p>Immutable; thread-safe.
 */
public final class JsonTreeReader {
  /**
   * The longest number, in characters, a message may hold (Jackson's own default): a longer
   * one is refused for its message without being converted.
   */
  public static final int MAX_NUMBER_CHARS = 1_000;
  private final int maxDepth;

  public JsonTreeReader(int maxDepth) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be positive");
    }
    this.maxDepth = maxDepth;
  }

  public int maxDepth() {
    return maxDepth;
  }

  /** What was read, and the first rule it breaks ({@code null} when none). */
  public record Result(@Nullable Object value, @Nullable InvalidEventException error) {}

  /** Reads the value starting at the parser's current token, which counts as depth 1. */
  public Result read(JsonParser p) throws IOException {
    Walk w = new Walk();
    Object v = w.value(p, 1);
    return new Result(v, w.error);
  }

  /**
   * Reads the value of field {@code key} of an object at depth {@code depth - 1}; pointers in the
   * result start with {@code /key}.
   */
  public Result readField(JsonParser p, String key, int depth) throws IOException {
    Walk w = new Walk();
    w.path.add(key);
    Object v = w.value(p, depth);
    return new Result(v, w.error);
  }

  /**
   * Reads an object whose {@code START_OBJECT} the caller has already consumed, the parser being
   * on its first {@code FIELD_NAME} (as Jackson hands buffered objects to deserializers).
   */
  public Result readObjectFromField(JsonParser p) throws IOException {
    Walk w = new Walk();
    Object v = w.objectBody(p, 1, p.currentToken());
    return new Result(v, w.error);
  }

  /** An RFC 6901 reference token for {@code key}. */
  public static String escape(String key) {
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      return key;
    }
    return key.replace("~", "~0").replace("/", "~1");
  }

  static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private final class Walk {
    // Unescaped keys and indexes from the read value down to the current one.
    final List<String> path = new ArrayList<>();
    @Nullable InvalidEventException error;

    void fail(String reason) {
      if (error == null) {
        StringBuilder sb = new StringBuilder();
        for (String segment : path) {
          sb.append('/').append(escape(segment));
        }
        error = new InvalidEventException(sb.toString(), reason);
      }
    }

    @Nullable Object value(JsonParser p, int depth) throws IOException {
      JsonToken t = p.currentToken();
      if (t == null) {
        fail("is missing");
        return null;
      }
      switch (t) {
        case START_OBJECT:
          if (depth > maxDepth) {
            fail("is nested more than " + maxDepth + " levels deep");
            p.skipChildren();
            return null;
          }
          return objectBody(p, depth, p.nextToken());
        case START_ARRAY:
          if (depth > maxDepth) {
            fail("is nested more than " + maxDepth + " levels deep");
            p.skipChildren();
            return null;
          }
          return array(p, depth);
        case VALUE_STRING: {
          String s = p.getText();
          if (hasUnpairedSurrogate(s)) {
            fail("holds an unpaired UTF-16 surrogate");
          }
          return s;
        }
        case VALUE_NUMBER_INT:
          if (p.getTextLength() > MAX_NUMBER_CHARS) {
            fail("has more than " + MAX_NUMBER_CHARS + " characters");
            return null;
          }
          return integer(p);
        case VALUE_NUMBER_FLOAT:
          if (p.getTextLength() > MAX_NUMBER_CHARS) {
            fail("has more than " + MAX_NUMBER_CHARS + " characters");
            return null;
          }
          return decimal(p);
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return null;
        default:
          fail("is not a JSON value");
          p.skipChildren();
          return null;
      }
    }

    Map<String, @Nullable Object> objectBody(JsonParser p, int depth, @Nullable JsonToken first)
        throws IOException {
      LinkedHashMap<String, @Nullable Object> map = new LinkedHashMap<>();
      for (JsonToken t = first; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String key = p.currentName();
        p.nextToken();
        path.add(key);
        if (hasUnpairedSurrogate(key)) {
          fail("is a key holding an unpaired UTF-16 surrogate");
        }
        Object v = value(p, depth + 1);
        if (map.containsKey(key)) {
          fail("is a duplicate key");
        } else {
          map.put(key, v);
        }
        path.remove(path.size() - 1);
      }
      return map;
    }

    List<@Nullable Object> array(JsonParser p, int depth) throws IOException {
      List<@Nullable Object> list = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
        path.add(Integer.toString(list.size()));
        list.add(value(p, depth + 1));
        path.remove(path.size() - 1);
      }
      return list;
    }

    @Nullable Object integer(JsonParser p) throws IOException {
      try {
        JsonParser.NumberType nt = p.getNumberType();
        if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
          return p.getLongValue();
        }
        return new BigDecimal(p.getBigIntegerValue());
      } catch (IOException | RuntimeException e) {
        // Never Jackson's message: it may quote the number.
        fail("is not a representable number");
        return null;
      }
    }

    @Nullable Object decimal(JsonParser p) throws IOException {
      try {
        return p.getDecimalValue();
      } catch (IOException | RuntimeException e) {
        fail("is not a representable number");
        return null;
      }
    }
  }
}
