package io.cdpkit.core.internal;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What web and app events say about the visit, read the same way for every event: the SDK's
 * session id, the page, UTM parameters, the referrer and the touch (where the visit came from).
 * The rules are documented on {@link io.cdpkit.core.traits.PropertyPath} and
 * {@link io.cdpkit.core.traits.WebTraits}.
 *
 * <p>Every value is stripped, holds no control character, and is cut to {@value #MAX_LENGTH}
 * characters; a value blank after that is absent.
 *
 * <p>Stateless; thread-safe.
 */
public final class WebContext {
  /** Longest value returned, in characters. */
  public static final int MAX_LENGTH = 200;
  /** The medium of a touch found from a referrer alone. */
  public static final String REFERRAL = "referral";
  /** The medium or campaign of a touch that names none. */
  public static final String NONE = "(none)";
  /** Query parameters looked at, at most; the rest of a longer query is ignored. */
  static final int MAX_PARAMETERS = 100;

  private static final List<String> UTM = List.of("source", "medium", "campaign", "term",
      "content");

  private WebContext() {}

  /**
   * The SDK's session id: {@code context.sessionId} (RudderStack, Amplitude-style SDKs), else
   * {@code properties.session_id}; a string or a number, else absent.
   */
  public static @Nullable Object sessionId(Event e) {
    Object v = e.context().other().get("sessionId");
    if (!(v instanceof String || v instanceof Number)) {
      v = e.properties().get("session_id");
    }
    if (v instanceof String s) {
      return clean(s);
    }
    return v instanceof Number ? v : null;
  }

  /**
   * The event's channel; for an event without one, {@code web} when it carries a user agent or
   * {@code context.page}, {@code app} when it carries {@code context.app} or {@code context.os};
   * else absent (server-side events).
   */
  public static @Nullable String clientChannel(Event e) {
    String c = e.context().channel();
    if (c != null) {
      return c;
    }
    Map<String, @Nullable Object> other = e.context().other();
    if (e.context().userAgent() != null || other.get("page") instanceof Map<?, ?>) {
      return "web";
    }
    if (other.get("app") instanceof Map<?, ?> || other.get("os") instanceof Map<?, ?>) {
      return "app";
    }
    return null;
  }

  private static Map<?, ?> page(Event e) {
    return e.context().other().get("page") instanceof Map<?, ?> m ? m : Map.of();
  }

  /** {@code context.page.<key>}, else for a page event {@code properties.<key>}. */
  private static @Nullable String pageField(Event e, String key) {
    if (page(e).get(key) instanceof String s && !s.isBlank()) {
      return s;
    }
    if (e.type() == EventType.PAGE && e.properties().get(key) instanceof String s
        && !s.isBlank()) {
      return s;
    }
    return null;
  }

  /**
   * The page viewed: for a page event its path ({@code context.page.path}, else
   * {@code properties.path}, else the path of the URL), without query or fragment; for a screen
   * event its name; absent for other events.
   */
  public static @Nullable String pagePath(Event e) {
    if (e.type() == EventType.SCREEN) {
      return e.name() == null ? null : clean(e.name());
    }
    if (e.type() != EventType.PAGE) {
      return null;
    }
    String p = pageField(e, "path");
    if (p == null) {
      String url = pageField(e, "url");
      p = url == null ? null : urlPath(url);
    }
    if (p == null) {
      return null;
    }
    int cut = firstOf(p, 0, "?#");
    return clean(p.substring(0, cut));
  }

  /**
   * A UTM parameter ({@code source}, {@code medium}, {@code campaign}, {@code term},
   * {@code content}), lower-case: from {@code context.campaign} ({@code name} for the campaign)
   * when it has a source, else from the page URL's query ({@code utm_source}, ...).
   *
   * @throws IllegalArgumentException for another key
   */
  public static @Nullable String utm(Event e, String key) {
    if (!UTM.contains(key)) {
      throw new IllegalArgumentException("not a UTM parameter: " + key);
    }
    Map<String, @Nullable Object> c = e.context().campaign();
    if (c.get("source") instanceof String src && clean(src) != null) {
      Object v = c.get(key.equals("campaign") ? "name" : key);
      return v instanceof String s ? lower(clean(s)) : null;
    }
    String url = pageField(e, "url");
    return url == null ? null : lower(queryParameter(url, "utm_" + key));
  }

  /** The host of the referrer ({@code context.page.referrer}, else a page's property). */
  public static @Nullable String referrerHost(Event e) {
    String r = pageField(e, "referrer");
    return r == null ? null : host(r);
  }

  /**
   * Where the visit came from, as {@code [source, medium, campaign]}: the UTM source with its
   * medium and campaign ({@value #NONE} when missing); else the referrer's host with medium
   * {@value #REFERRAL} when the referrer is on another host than the page (hosts compared
   * without {@code www.}); else absent (direct, or navigation within the site).
   */
  public static String @Nullable [] touch(Event e) {
    String source = utm(e, "source");
    if (source != null) {
      String medium = utm(e, "medium");
      String campaign = utm(e, "campaign");
      return new String[] {source, medium == null ? NONE : medium,
          campaign == null ? NONE : campaign};
    }
    String ref = referrerHost(e);
    if (ref == null) {
      return null;
    }
    String url = pageField(e, "url");
    String own = url == null ? null : host(url);
    if (ref.equals(own)) {
      return null;
    }
    return new String[] {ref, REFERRAL, NONE};
  }

  /** The host of a URL, lower-case, without {@code www.} and port; absent when there is none. */
  static @Nullable String host(String url) {
    int start = url.indexOf("://");
    if (start >= 0) {
      start += 3;
    } else if (url.startsWith("//")) {
      start = 2;
    } else {
      return null;
    }
    int end = firstOf(url, start, "/?#");
    String authority = url.substring(start, end);
    int at = authority.lastIndexOf('@');
    authority = authority.substring(at + 1);
    String host;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      host = close < 0 ? authority : authority.substring(0, close + 1);
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
    }
    host = lower(clean(host));
    if (host != null && host.startsWith("www.") && host.length() > 4) {
      host = host.substring(4);
    }
    return host;
  }

  /** The path of an absolute URL ({@code /} when it has none); absent when it is not one. */
  static @Nullable String urlPath(String url) {
    int start = url.indexOf("://");
    if (start < 0) {
      return url.startsWith("/") ? url : null;
    }
    int slash = firstOf(url, start + 3, "/?#");
    if (slash == url.length() || url.charAt(slash) != '/') {
      return "/";
    }
    return url.substring(slash);
  }

  /** A query parameter of a URL, percent-decoded; the first of at most 100 parameters. */
  static @Nullable String queryParameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    int end = url.indexOf('#', q);
    String query = url.substring(q + 1, end < 0 ? url.length() : end);
    int from = 0;
    for (int n = 0; n < MAX_PARAMETERS && from <= query.length(); n++) {
      int amp = query.indexOf('&', from);
      String pair = query.substring(from, amp < 0 ? query.length() : amp);
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.strip().equalsIgnoreCase(name)) {
        return eq < 0 ? null : clean(decode(pair.substring(eq + 1)));
      }
      if (amp < 0) {
        break;
      }
      from = amp + 1;
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException ex) {
      return s;
    }
  }

  private static int firstOf(String s, int from, String chars) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  /** Stripped, without control characters, cut; absent when blank. */
  static @Nullable String clean(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        if (sb == null) {
          sb = new StringBuilder(s.length()).append(s, 0, i);
        }
      } else if (sb != null) {
        sb.append(s.charAt(i));
      }
    }
    String t = (sb == null ? s : sb.toString()).strip();
    if (t.length() > MAX_LENGTH) {
      int end = Character.isHighSurrogate(t.charAt(MAX_LENGTH - 1)) ? MAX_LENGTH - 1 : MAX_LENGTH;
      t = t.substring(0, end).strip();
    }
    return t.isEmpty() ? null : t;
  }

  private static @Nullable String lower(@Nullable String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
