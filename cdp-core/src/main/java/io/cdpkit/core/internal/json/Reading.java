package io.cdpkit.core.internal.json;

import io.cdpkit.core.model.EventType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
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
 * as read (lower case, also when a path gave it); numbers in their exact decimal form. Two
 * messages that differ in nothing else are the same event.
 *
 * @param zone the zone of local date-times, or {@code null} to refuse them
 * @param idNamespace the namespace of derived ids, or {@code null} to require a messageId
 * @param typeIfMissing the {@code type} of a message that has no {@code type} key (a single-call
 *     path such as {@code /v1/track} names it), or {@code null} to require one
 * @param receivedAt the receive time every event gets in place of the client's
 *     {@code receivedAt} (which is still checked), or {@code null} to keep the client's
 */
public record Reading(@Nullable ZoneId zone, @Nullable String idNamespace,
    @Nullable EventType typeIfMissing, @Nullable Instant receivedAt) {
  /** Date-times need a zone; a messageId is required. How stored events are read back. */
  public static final Reading STRICT = new Reading(null, null, null, null);

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
    TreeMap<String, @Nullable Object> content = new TreeMap<>(message);
    VOLATILE.forEach(content::remove);
    content.put("type", type.wireName());
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
    sha.update(idNamespace.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
    try {
      sha.update(CANONICAL.writeValueAsBytes(content));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a message read from JSON is writable as JSON", e);
    }
    byte[] digest = sha.digest();
    StringBuilder id = new StringBuilder("cdp-");
    for (int i = 0; i < 16; i++) {
      id.append(Character.forDigit((digest[i] >> 4) & 0xf, 16))
          .append(Character.forDigit(digest[i] & 0xf, 16));
    }
    return id.toString();
  }

  /** JSON with every map's keys sorted, at every level: the canonical content. */
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
}
