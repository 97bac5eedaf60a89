package io.cdpkit.core.traits;

import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.internal.UserAgents;
import io.cdpkit.core.internal.WebContext;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A path to values inside an event: dot-separated keys into its properties
 * ({@code product.category}), where a key ending in {@code []} steps into every element of a list
 * ({@code products[].category}). Paths starting with {@code $} name the event's own fields:
 * {@code $event} (a track's name, else the type: {@code identify}, {@code page}, ...),
 * {@code $channel}, {@code $store}, {@code $source} (from its context), and the visit's fields
 * that {@link WebTraits} reads (each a string, absent when the event does not say):
 *
 * <ul>
 *   <li>{@code $client_channel}: the channel; for an event without one, {@code web} when it
 *       carries {@code context.userAgent} or {@code context.page}, {@code app} when it carries
 *       {@code context.app} or {@code context.os} (SDKs whose top-level {@code channel} the codec
 *       does not map, such as RudderStack's {@code web}); else absent;
 *   <li>{@code $session_id}: {@code context.sessionId}, else {@code properties.session_id}
 *       (a string or a number);
 *   <li>{@code $page_path}: for a page event {@code context.page.path}, else
 *       {@code properties.path}, else the path of {@code context.page.url} or
 *       {@code properties.url}, without query or fragment; for a screen event its name;
 *   <li>{@code $utm_source}, {@code $utm_medium}, {@code $utm_campaign}, {@code $utm_term},
 *       {@code $utm_content}: lower-case, from {@code context.campaign} ({@code name} for the
 *       campaign) when it has a {@code source}, else from the page URL's query
 *       ({@code utm_source=...}, percent-decoded, the first 100 parameters looked at);
 *   <li>{@code $referrer_host}: the host of {@code context.page.referrer} (or a page event's
 *       {@code referrer} property), lower-case, without {@code www.} and port;
 *   <li>{@code $touch_source}, {@code $touch_medium}, {@code $touch_campaign}: where the visit
 *       came from, all three or none: the UTM source, medium and campaign ({@code (none)} for a
 *       missing medium or campaign); else the referrer's host with medium {@code referral} when
 *       it is another host than the page's; else none (direct, or a link within the site);
 *   <li>{@code $device_type} ({@code desktop}, {@code mobile}, {@code tablet}, {@code bot},
 *       {@code other}), {@code $os}, {@code $browser}: from {@code context.userAgent}, all three
 *       or none (see {@link WebTraits}).
 * </ul>
 *
 * Those values are stripped, hold no control character and are cut to 200 characters. A path
 * yields every non-null value it reaches; nothing when a key is missing.
 *
 * <p>The key {@value #CATALOG} joins the object it is reached from with the workspace's product
 * catalog: {@code products[].$catalog.brand} is the brand of each order line's product,
 * {@code $catalog.category} the category of the product a {@code Product Viewed} names (see
 * {@link io.cdpkit.core.catalog.Catalog}, and {@link ProductLookup} for how an object names its
 * product). It is followed by exactly one field of {@link Product#fields()}. Read without a
 * catalog ({@link #values(Event)}), or for an object that names no catalog product, it reaches
 * nothing; a {@code $catalog} key inside the event's own properties is never read.
 *
 * <p>Limits: at most {@value #MAX_DEPTH} keys of at most {@value #MAX_KEY_LENGTH} characters;
 * keys may hold any character but {@code .}, {@code [} and {@code ]}.
 *
 * <p>Immutable.
 */
public final class PropertyPath {
  /** Most keys in a path. */
  public static final int MAX_DEPTH = 8;
  /** Longest key, in characters. */
  public static final int MAX_KEY_LENGTH = 128;
  /** The key that joins an object with its catalog product: {@value}. */
  public static final String CATALOG = "$catalog";

  private static final List<String> SPECIAL = List.of("$event", "$channel", "$store", "$source",
      "$client_channel", "$session_id", "$page_path", "$utm_source", "$utm_medium",
      "$utm_campaign", "$utm_term", "$utm_content", "$referrer_host", "$touch_source",
      "$touch_medium", "$touch_campaign",
      "$device_type", "$os", "$browser");

  private final String text;
  private final String[] keys;
  private final boolean[] each;

  private PropertyPath(String text, String[] keys, boolean[] each) {
    this.text = text;
    this.keys = keys;
    this.each = each;
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static PropertyPath parse(String text) {
    Objects.requireNonNull(text, "path");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("path is empty");
    }
    if (text.startsWith("$") && !text.startsWith(CATALOG + ".")) {
      if (!SPECIAL.contains(text)) {
        throw new IllegalArgumentException("path " + text + " is not one of " + SPECIAL);
      }
      return new PropertyPath(text, new String[] {text}, new boolean[] {false});
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length > MAX_DEPTH) {
      throw new IllegalArgumentException("path has more than " + MAX_DEPTH + " keys");
    }
    String[] keys = new String[parts.length];
    boolean[] each = new boolean[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      boolean e = p.endsWith("[]");
      String k = e ? p.substring(0, p.length() - 2) : p;
      if (k.isEmpty()) {
        throw new IllegalArgumentException("path has an empty key");
      }
      if (k.length() > MAX_KEY_LENGTH) {
        throw new IllegalArgumentException(
            "path has a key longer than " + MAX_KEY_LENGTH + " characters");
      }
      if (k.indexOf('[') >= 0 || k.indexOf(']') >= 0) {
        throw new IllegalArgumentException("path key may end in [] but hold no other brackets");
      }
      if (k.equals(CATALOG) && (e || i != parts.length - 2)) {
        throw new IllegalArgumentException("path key " + CATALOG
            + " must be followed by exactly one catalog field, as in products[].$catalog.brand");
      }
      keys[i] = k;
      each[i] = e;
    }
    return new PropertyPath(text, keys, each);
  }

  /** The values this path reaches in an event, without a catalog. */
  public List<Object> values(Event e) {
    return values(e, ProductLookup.NONE);
  }

  /** The values this path reaches in an event, joining through {@code catalog}. */
  public List<Object> values(Event e, ProductLookup catalog) {
    if (special()) {
      Object v = switch (keys[0]) {
        case "$event" -> StoredEvent.countedName(e);
        case "$channel" -> e.context().channel();
        case "$store" -> e.context().storeId();
        case "$source" -> e.context().source();
        default -> webValue(keys[0], e);
      };
      return v == null ? List.of() : List.of(v);
    }
    List<Object> out = new ArrayList<>(1);
    walk(e.properties(), 0, out, catalog);
    return out;
  }

  private static @Nullable Object webValue(String key, Event e) {
    switch (key) {
      case "$client_channel":
        return WebContext.clientChannel(e);
      case "$session_id":
        return WebContext.sessionId(e);
      case "$page_path":
        return WebContext.pagePath(e);
      case "$referrer_host":
        return WebContext.referrerHost(e);
      case "$touch_source":
      case "$touch_medium":
      case "$touch_campaign": {
        String[] t = WebContext.touch(e);
        return t == null ? null
            : t[key.equals("$touch_source") ? 0 : key.equals("$touch_medium") ? 1 : 2];
      }
      case "$device_type":
      case "$os":
      case "$browser": {
        UserAgents.Agent a = UserAgents.of(e);
        return a == null ? null : key.equals("$device_type") ? a.deviceType()
            : key.equals("$os") ? a.os() : a.browser();
      }
      default:
        if (key.startsWith("$utm_")) {
          return WebContext.utm(e, key.substring(5));
        }
        return null;
    }
  }

  /** The values this path reaches from a map (a list element, say), without a catalog. */
  public List<Object> values(Map<String, ?> root) {
    return values(root, ProductLookup.NONE);
  }

  /** The values this path reaches from a map, joining through {@code catalog}. */
  public List<Object> values(Map<String, ?> root, ProductLookup catalog) {
    List<Object> out = new ArrayList<>(1);
    walk(root, 0, out, catalog);
    return out;
  }

  /** The catalog field this path reads after {@value #CATALOG}, if it reads one. */
  public java.util.Optional<String> catalogField() {
    for (int i = 0; i < keys.length - 1; i++) {
      if (keys[i].equals(CATALOG)) {
        return java.util.Optional.of(keys[i + 1]);
      }
    }
    return java.util.Optional.empty();
  }

  /** Number of keys. */
  int depth() {
    return keys.length;
  }

  /** The key at a position. */
  String key(int i) {
    return keys[i];
  }

  /** Whether the key at a position steps into every element of a list. */
  boolean each(int i) {
    return each[i];
  }

  /** Walks from {@code cur}, the value reached before key {@code i}. */
  void walk(@Nullable Object cur, int i, List<Object> out, ProductLookup catalog) {
    if (cur == null) {
      return;
    }
    if (i == keys.length) {
      out.add(cur);
      return;
    }
    if (!(cur instanceof Map<?, ?> m)) {
      return;
    }
    if (keys[i].equals(CATALOG)) {
      Product p = catalog.named(m);
      if (p != null) {
        walk(p.fields(), i + 1, out, catalog);
      }
      return;
    }
    Object next = m.get(keys[i]);
    if (each[i]) {
      if (next instanceof List<?> l) {
        for (Object x : l) {
          walk(x, i + 1, out, catalog);
        }
      }
      return;
    }
    walk(next, i + 1, out, catalog);
  }

  /** Whether the path names an event field ({@code $event}, ...) rather than properties. */
  public boolean special() {
    return keys[0].startsWith("$") && !keys[0].equals(CATALOG);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PropertyPath p && p.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The path as written. */
  @Override
  public String toString() {
    return text;
  }
}
