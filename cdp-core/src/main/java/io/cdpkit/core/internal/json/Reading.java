package io.cdpkit.core.internal.json;

import io.cdpkit.core.model.EventType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How {@link EventMapping} reads what a message leaves open: the zone of date-times sent without
 * one, and whether a missing {@code messageId} is derived from the message.
 *
 * <p>A derived id is {@code "cdp-"} followed by 32 hex digits: the first 128 bits of a SHA-256
 * over the namespace (the workspace) and the message's canonical content, so a client retrying
 * the same message gets the same id and the store drops the repeat. The canonical content is the
 * message as sent with its keys sorted at every level, without the keys a client sets anew on
 * each attempt ({@code sentAt}, {@code receivedAt}) and without {@code writeKey}, with its type
 * as read (lower case, also when a path gave it); numbers as written. Two messages that differ in
 * nothing else are the same event.
 *
 * @param zone the zone of local date-times, or {@code null} to refuse them
 * @param idNamespace the namespace of derived ids, or {@code null} to require a messageId
 * @param typeIfMissing the {@code type} of a message that has no {@code type} key (a single-call
 *     path such as {@code /v1/track} names it), or {@code null} to require one
 */
public record Reading(@Nullable ZoneId zone, @Nullable String idNamespace,
    @Nullable EventType typeIfMissing) {
  /** Date-times need a zone; a messageId is required. How stored events are read back. */
  public static final Reading STRICT = new Reading(null, null, null);

  /** Keys left out of the canonical content: a client sets them on each attempt. */
  private static final Set<String> VOLATILE = Set.of("sentAt", "receivedAt", "writeKey",
      "messageId");

  /** Whether a missing messageId is derived. */
  boolean derivesIds() {
    return idNamespace != null;
  }

  /**
   * The derived messageId of {@code message} of type {@code type} (see the class description;
   * the type counts also when the path, not the message, names it).
   */
  String derivedMessageId(Map<String, @Nullable Object> message, EventType type) {
    StringBuilder canonical = new StringBuilder(256);
    canonical.append(idNamespace).append('\n');
    TreeMap<String, @Nullable Object> sorted = new TreeMap<>(message);
    VOLATILE.forEach(sorted::remove);
    sorted.put("type", type.wireName());
    write(canonical, sorted);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
    byte[] digest = sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
    StringBuilder id = new StringBuilder("cdp-");
    for (int i = 0; i < 16; i++) {
      id.append(Character.forDigit((digest[i] >> 4) & 0xf, 16))
          .append(Character.forDigit(digest[i] & 0xf, 16));
    }
    return id.toString();
  }

  /** Writes a value read by {@link JsonTreeReader} as JSON, keys sorted, strings quoted. */
  private static void write(StringBuilder out, @Nullable Object v) {
    if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, (String) e.getKey());
        out.append(':');
        write(out, e.getValue());
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, l.get(i));
      }
      out.append(']');
    } else if (v instanceof String s) {
      quote(out, s);
    } else {
      out.append(v); // null, Boolean, Long, BigDecimal (as written)
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
