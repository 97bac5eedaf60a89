package io.cdpkit.core.internal;

import io.cdpkit.core.model.Event;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Device type, operating system and browser of an event, from its {@code context.userAgent}, or
 * for app events without one from {@code context.os.name}.
 *
 * <p>The OS and browser are the families of ua-parser's uap-java ({@code Mac OS X},
 * {@code Windows}, {@code iOS}, {@code Android}; {@code Chrome}, {@code Mobile Safari},
 * {@code Firefox}, ...) when {@code com.github.ua-parser:uap-java} is on the class path, else
 * those of a small built-in classifier that knows the common families by the same names
 * ({@link #builtIn}). The device type is always one of {@code desktop}, {@code mobile},
 * {@code tablet}, {@code bot}, {@code other}, decided by the rules in {@link #deviceType}. User
 * agents longer than {@value #MAX_UA_LENGTH} characters are cut before they are read.
 *
 * <p>Thread-safe. The uap-java parser is built once per class loader, on first use (about a
 * second), and holds compiled patterns only. It takes one to four milliseconds per user agent, so
 * results are memoised in a cache of at most {@value #CACHE_SIZE} user agents per class loader,
 * emptied when full: a pure function's results, the same for every caller, so sharing it
 * between {@code Cdp} instances and workspaces changes no result and reveals nothing (it is the
 * one piece of static mutable state, and it holds user agent strings only).
 */
public final class UserAgents {
  /** Longest user agent read, in characters; the rest is ignored. */
  public static final int MAX_UA_LENGTH = 512;
  /** Unknown OS or browser family. */
  public static final String OTHER = "Other";
  /** The browser family of app events read from {@code context.os}. */
  public static final String APP = "App";

  private static final Pattern BOT = Pattern.compile(
      "bot\\b|bot/|crawl|spider|slurp|headless|lighthouse|curl/|wget/|python-requests"
          + "|go-http-client|java/|facebookexternalhit",
      Pattern.CASE_INSENSITIVE);

  /**
   * The device type, OS and browser.
   *
   * @param deviceType {@code desktop}, {@code mobile}, {@code tablet}, {@code bot} or
   *     {@code other}
   * @param os the OS family
   * @param browser the browser family ({@value #APP} for app events read from {@code context.os})
   */
  public record Agent(String deviceType, String os, String browser) {}

  private UserAgents() {}

  /** Built once, on first use, when uap-java is on the class path. */
  private static final class Uap {
    static final @Nullable UapClassifier INSTANCE = load();

    private static @Nullable UapClassifier load() {
      try {
        Class.forName("ua_parser.Parser", false, UserAgents.class.getClassLoader());
        return new UapClassifier();
      } catch (ClassNotFoundException | LinkageError ex) {
        return null;
      }
    }
  }

  /** Whether uap-java reads the families (else the built-in classifier). */
  public static boolean usesUap() {
    return Uap.INSTANCE != null;
  }

  /** Most user agents memoised. */
  public static final int CACHE_SIZE = 10_000;

  /** Memoised results of {@link #compute} (see the class description). */
  private static final java.util.concurrent.ConcurrentHashMap<String, Agent> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The event's agent, or absent when it has neither a user agent nor {@code context.os}. */
  public static @Nullable Agent of(Event e) {
    String ua = e.context().userAgent();
    if (ua != null && !ua.isBlank()) {
      return classify(ua);
    }
    if (e.context().other().get("os") instanceof Map<?, ?> os
        && os.get("name") instanceof String name && WebContext.clean(name) != null) {
      String model = e.context().device().get("model") instanceof String m ? m : "";
      String type = e.context().device().get("type") instanceof String t ? t : "";
      boolean tablet = (model + " " + type).toLowerCase(Locale.ROOT).matches(".*(ipad|tablet).*");
      return new Agent(tablet ? "tablet" : "mobile", WebContext.clean(name), APP);
    }
    return null;
  }

  /** A user agent's device type, OS and browser, with uap-java when present. */
  public static Agent classify(String ua) {
    String cut = ua.length() > MAX_UA_LENGTH ? ua.substring(0, MAX_UA_LENGTH) : ua;
    Agent a = CACHE.get(cut);
    if (a == null) {
      a = compute(cut);
      if (CACHE.size() >= CACHE_SIZE) {
        CACHE.clear();
      }
      CACHE.put(cut, a);
    }
    return a;
  }

  private static Agent compute(String cut) {
    UapClassifier uap = Uap.INSTANCE;
    String browser;
    String os;
    String device;
    if (uap != null) {
      String[] f = uap.families(cut);
      browser = family(f[0]);
      os = family(f[1]);
      device = f[2] == null ? OTHER : f[2];
    } else {
      String[] f = builtIn(cut);
      browser = f[0];
      os = f[1];
      device = OTHER;
    }
    return new Agent(deviceType(cut, os, device), os, browser);
  }

  private static String family(@Nullable String f) {
    String c = f == null ? null : WebContext.clean(f);
    return c == null ? OTHER : c;
  }

  /**
   * The device type: {@code bot} for uap-java's {@code Spider} devices and agents that name a
   * bot, crawler, spider, headless browser or HTTP library; {@code tablet} for iPads, Android
   * without {@code Mobile}, and agents that say {@code Tablet}; {@code mobile} for iPhones,
   * iPods, Android with {@code Mobile}, Android apps ({@code Dalvik}), and other agents that say
   * {@code Mobile} or {@code Phone}; {@code desktop} for Windows, macOS, Chrome OS and Linux;
   * else {@code other}.
   */
  static String deviceType(String ua, String os, String device) {
    if (device.equals("Spider") || BOT.matcher(ua).find()) {
      return "bot";
    }
    String l = ua.toLowerCase(Locale.ROOT);
    boolean android = l.contains("android");
    if (l.contains("ipad") || l.contains("tablet") || (android && !l.contains("mobile")
        && !l.contains("dalvik"))) {
      return "tablet";
    }
    if (l.contains("iphone") || l.contains("ipod") || android || l.contains("mobile")
        || l.contains("phone")) {
      return "mobile";
    }
    if (l.contains("windows") || l.contains("macintosh") || l.contains("mac os x")
        || l.contains("cros") || l.contains("x11") || l.contains("linux")
        || os.equals("Windows") || os.equals("Mac OS X") || os.equals("Linux")) {
      return "desktop";
    }
    return "other";
  }

  /**
   * {@code [browser, os]} by a few ordered rules, for when uap-java is absent: Edge, Opera,
   * Samsung Internet, Chrome (Chrome Mobile on mobiles and Chrome Mobile iOS for CriOS), Firefox,
   * Safari (Mobile Safari on iOS), else {@value #OTHER}; iOS, Android, Windows, Mac OS X, Chrome
   * OS, Linux, else {@value #OTHER}.
   */
  public static String[] builtIn(String ua) {
    String os;
    if (ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod")) {
      os = "iOS";
    } else if (ua.contains("Android")) {
      os = "Android";
    } else if (ua.contains("Windows")) {
      os = "Windows";
    } else if (ua.contains("Mac OS X") || ua.contains("Macintosh")) {
      os = "Mac OS X";
    } else if (ua.contains("CrOS")) {
      os = "Chrome OS";
    } else if (ua.contains("Linux")) {
      os = "Linux";
    } else {
      os = OTHER;
    }
    boolean mobile = ua.contains("Mobile");
    String browser;
    if (ua.contains("Edg/") || ua.contains("Edge/") || ua.contains("EdgA/")
        || ua.contains("EdgiOS/")) {
      browser = "Edge";
    } else if (ua.contains("OPR/") || ua.contains("Opera")) {
      browser = "Opera";
    } else if (ua.contains("SamsungBrowser/")) {
      browser = "Samsung Internet";
    } else if (ua.contains("CriOS/")) {
      browser = "Chrome Mobile iOS";
    } else if (ua.contains("Chrome/")) {
      browser = mobile ? "Chrome Mobile" : "Chrome";
    } else if (ua.contains("Firefox/") || ua.contains("FxiOS/")) {
      browser = mobile || ua.contains("FxiOS/") ? "Firefox Mobile" : "Firefox";
    } else if (ua.contains("Safari/") && ua.contains("Version/")) {
      browser = os.equals("iOS") ? "Mobile Safari" : "Safari";
    } else {
      browser = OTHER;
    }
    return new String[] {browser, os};
  }
}
