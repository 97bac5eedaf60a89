package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.internal.UserAgents;
import io.cdpkit.core.json.EventCodec;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@link WebTraits} over small stories with hand-worked values. */
class WebTraitsTest {
  static final ComputedTraits PACK = WebTraits.all();
  static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  static final String CHROME_DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
      + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
  static final String SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
      + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
  static final String ANDROID_APP = "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 "
      + "Build/TQ3A.230805.001)";
  static final String ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 13; SM-X700) "
      + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
  static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; "
      + "+http://www.google.com/bot.html)";

  static Instant min(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static int n;

  static Event page(int minutes, String path) {
    return page(minutes, path, EventContext.builder().channel("web"));
  }

  static Event page(int minutes, String path, EventContext.Builder ctx) {
    return Event.page("P").messageId("m-" + (n++)).anonymousId("a-1").timestamp(min(minutes))
        .property("path", path).context(ctx.build()).build();
  }

  static Event track(int minutes, String name) {
    return Event.track(name).messageId("m-" + (n++)).anonymousId("a-1").timestamp(min(minutes))
        .channel("web").build();
  }

  static ProfileState fold(ComputedTraits traits, List<Event> events) {
    ProfileState s = ProfileState.EMPTY;
    for (Event e : events) {
      s = s.join(ProfileState.EMPTY.withComputed(traits.contributions(e, e.eventTime())));
    }
    return s;
  }

  static Map<String, Object> values(List<Event> events) {
    return PACK.values(fold(PACK, events), min(10_000));
  }

  @Nested
  @DisplayName("sessions by inactivity")
  class Inactivity {
    @Test
    @DisplayName("three visits: 2 pages over 10 min, a bounce, 3 pages and a track over 29 min")
    void handWorked() {
      List<Event> events = List.of(
          page(0, "/"), page(10, "/shoes"),                    // visit 1: 600 s, 2 views
          page(100, "/"),                                      // visit 2: 0 s, 1 view: bounce
          page(200, "/a"), page(210, "/b"), track(220, "Product Added"),
          page(229, "/a"));                                    // visit 3: 1740 s, 3 views
      Map<String, Object> v = values(events);
      assertThat(v.get(WebTraits.VISITS)).isEqualTo(3L);
      // (600 + 0 + 1740) / 3 = 780
      assertThat(v.get(WebTraits.AVG_SESSION_SECONDS)).isEqualTo(new BigDecimal("780.00"));
      // 6 views / 3 visits
      assertThat(v.get(WebTraits.PAGES_PER_VISIT)).isEqualTo(new BigDecimal("2.00"));
      // 1 bounce of 3
      assertThat(v.get(WebTraits.BOUNCE_RATE)).isEqualTo(new BigDecimal("0.3333"));
      assertThat(v.get(WebTraits.TOP_PAGE)).isEqualTo("/a");
      assertThat(v.get(WebTraits.MOST_VIEWED_PAGES)).isEqualTo(List.of("/a", "/", "/b",
          "/shoes"));
    }

    @Test
    @DisplayName("a gap of exactly the timeout starts a new session; a gap just under it does not")
    void boundary() {
      Event a = page(0, "/");
      Event b = Event.page("P").messageId("b").anonymousId("a-1")
          .timestamp(min(30).minusNanos(1)).property("path", "/").channel("web").build();
      assertThat(values(List.of(a, b)).get(WebTraits.VISITS)).isEqualTo(1L);
      assertThat(values(List.of(a, page(30, "/"))).get(WebTraits.VISITS)).isEqualTo(2L);
    }

    @Test
    @DisplayName("a late event that bridges two sessions joins them")
    void lateBridge() {
      List<Event> two = new ArrayList<>(List.of(page(0, "/"), page(50, "/x")));
      assertThat(values(two).get(WebTraits.VISITS)).isEqualTo(2L);
      two.add(page(25, "/late"));
      Map<String, Object> v = values(two);
      assertThat(v.get(WebTraits.VISITS)).isEqualTo(1L);
      assertThat(v.get(WebTraits.AVG_SESSION_SECONDS)).isEqualTo(new BigDecimal("3000.00"));
      assertThat(v.get(WebTraits.BOUNCE_RATE)).isEqualTo(new BigDecimal("0.0000"));
    }

    @Test
    @DisplayName("the timeout is configurable")
    void timeout() {
      ComputedTraits ten = WebTraits.builder().sessionTimeout(Duration.ofMinutes(10)).build();
      List<Event> events = List.of(page(0, "/"), page(15, "/"), page(20, "/"));
      assertThat(ten.values(fold(ten, events), min(100)).get(WebTraits.VISITS)).isEqualTo(2L);
      assertThat(values(events).get(WebTraits.VISITS)).isEqualTo(1L);
    }

    @Test
    @DisplayName("events of other channels and without a channel make no session")
    void channels() {
      Event pos = Event.track("Order Completed").messageId("pos").userId("C-1")
          .timestamp(min(0)).channel("pos").build();
      Event none = Event.track("Order Completed").messageId("none").userId("C-1")
          .timestamp(min(0)).build();
      Map<String, Object> v = values(List.of(pos, none));
      assertThat(v.get(WebTraits.VISITS)).isEqualTo(0L);
      assertThat(v).doesNotContainKeys(WebTraits.AVG_SESSION_SECONDS, WebTraits.BOUNCE_RATE,
          WebTraits.PAGES_PER_VISIT);
    }
  }

  @Nested
  @DisplayName("sessions by SDK session id")
  class SdkSessions {
    @Test
    @DisplayName("context.sessionId groups events however far apart; properties.session_id too")
    void byId() {
      EventContext.Builder s1 = EventContext.builder().channel("app")
          .other(Map.of("sessionId", 1709373600000L));
      Event a = page(0, "/", s1);
      Event b = page(120, "/", s1);                           // 2 hours later, same session
      Event c = Event.screen("Basket").messageId("c").anonymousId("a-1").timestamp(min(125))
          .property("session_id", "s-2").channel("app").build();
      Event d = page(126, "/free");                           // no id: own inactivity session
      Map<String, Object> v = values(List.of(a, b, c, d));
      assertThat(v.get(WebTraits.VISITS)).isEqualTo(3L);
      // durations 7200, 0, 0 -> 2400
      assertThat(v.get(WebTraits.AVG_SESSION_SECONDS)).isEqualTo(new BigDecimal("2400.00"));
      assertThat(v.get(WebTraits.BOUNCE_RATE)).isEqualTo(new BigDecimal("0.6667"));
      assertThat(v.get(WebTraits.MOST_VIEWED_PAGES).toString()).contains("Basket");
    }

    @Test
    @DisplayName("RudderStack JSON: context.sessionId, context.page and context.campaign are read")
    void rudderJson() {
      EventCodec codec = EventCodec.create();
      String json = "{\"type\":\"page\",\"messageId\":\"r-1\",\"anonymousId\":\"a-9\","
          + "\"channel\":\"web\",\"originalTimestamp\":\"2026-03-02T10:00:00Z\","
          + "\"context\":{\"sessionId\":1709373600123,\"userAgent\":\"" + SAFARI_IPHONE + "\","
          + "\"page\":{\"path\":\"/sale\",\"url\":\"https://shop.example/sale?utm_source=x\","
          + "\"referrer\":\"https://www.google.com/search?q=shoes\"},"
          + "\"campaign\":{\"source\":\"Newsletter\",\"medium\":\"email\",\"name\":\"spring\"}}}";
      Event e = codec.decodeMessage(json);
      Map<String, Object> v = values(List.of(e));
      assertThat(v).containsEntry(WebTraits.VISITS, 1L)
          .containsEntry(WebTraits.FIRST_TOUCH_SOURCE, "newsletter")
          .containsEntry(WebTraits.FIRST_TOUCH_MEDIUM, "email")
          .containsEntry(WebTraits.FIRST_TOUCH_CAMPAIGN, "spring")
          .containsEntry(WebTraits.DEVICE_TYPE, "mobile")
          .containsEntry(WebTraits.OS, "iOS")
          .containsEntry(WebTraits.BROWSER, "Mobile Safari")
          .containsEntry(WebTraits.TOP_PAGE, "/sale");
    }
  }

  @Nested
  @DisplayName("first and last touch")
  class Touch {
    @Test
    @DisplayName("UTM from the URL's query, referral from another host, direct and internal skipped")
    void touches() {
      Event utm = page(0, "/", ctx("https://shop.example/?utm_source=Newsletter&utm_medium=email"
          + "&utm_campaign=spring%20sale", null));
      Event direct = page(100, "/", ctx("https://shop.example/", null));
      Event referral = page(200, "/", ctx("https://shop.example/x",
          "https://www.google.com/search?q=x"));
      Event internal = page(300, "/", ctx("https://www.shop.example/y",
          "https://shop.example/x"));
      Map<String, Object> v = values(List.of(internal, direct, referral, utm));
      assertThat(v).containsEntry(WebTraits.FIRST_TOUCH_SOURCE, "newsletter")
          .containsEntry(WebTraits.FIRST_TOUCH_MEDIUM, "email")
          .containsEntry(WebTraits.FIRST_TOUCH_CAMPAIGN, "spring sale")
          .containsEntry(WebTraits.LAST_TOUCH_SOURCE, "google.com")
          .containsEntry(WebTraits.LAST_TOUCH_MEDIUM, "referral")
          .containsEntry(WebTraits.LAST_TOUCH_CAMPAIGN, "(none)");
    }

    @Test
    @DisplayName("a UTM source without medium or campaign says (none) for them")
    void partialUtm() {
      Map<String, Object> v = values(List.of(page(0, "/", ctx("https://s.example/?utm_source=ig",
          null))));
      assertThat(v).containsEntry(WebTraits.FIRST_TOUCH_SOURCE, "ig")
          .containsEntry(WebTraits.FIRST_TOUCH_MEDIUM, "(none)")
          .containsEntry(WebTraits.FIRST_TOUCH_CAMPAIGN, "(none)");
    }

    @Test
    @DisplayName("adversarial URLs: a huge query, bad percent escapes, control characters")
    void adversarialUrls() {
      String huge = "https://s.example/?" + "a=b&".repeat(50_000) + "utm_source=late";
      String bad = "https://s.example/?utm_source=%E0%A4%A&utm_medium=%00x%0A";
      String longValue = "https://s.example/?utm_source=" + "z".repeat(100_000);
      Map<String, Object> v1 = values(List.of(page(0, "/", ctx(huge, null))));
      assertThat(v1).doesNotContainKey(WebTraits.FIRST_TOUCH_SOURCE);   // past 100 parameters
      Map<String, Object> v2 = values(List.of(page(0, "/", ctx(bad, null))));
      assertThat((String) v2.get(WebTraits.FIRST_TOUCH_SOURCE)).isEqualTo("%e0%a4%a");
      assertThat(v2.get(WebTraits.FIRST_TOUCH_MEDIUM)).isEqualTo("x");
      Map<String, Object> v3 = values(List.of(page(0, "/", ctx(longValue, null))));
      assertThat((String) v3.get(WebTraits.FIRST_TOUCH_SOURCE)).hasSize(200);
    }

    EventContext.Builder ctx(String url, String referrer) {
      Map<String, Object> page = new java.util.HashMap<>();
      page.put("url", url);
      if (referrer != null) {
        page.put("referrer", referrer);
      }
      return EventContext.builder().channel("web").other(Map.of("page", page));
    }
  }

  @Nested
  @DisplayName("device from the user agent")
  class Device {
    @Test
    @DisplayName("real user agents (uap-java on the class path)")
    void realAgents() {
      assertThat(UserAgents.usesUap()).isTrue();
      assertThat(UserAgents.classify(CHROME_DESKTOP))
          .isEqualTo(new UserAgents.Agent("desktop", "Windows", "Chrome"));
      assertThat(UserAgents.classify(SAFARI_IPHONE))
          .isEqualTo(new UserAgents.Agent("mobile", "iOS", "Mobile Safari"));
      assertThat(UserAgents.classify(ANDROID_APP).deviceType()).isEqualTo("mobile");
      assertThat(UserAgents.classify(ANDROID_APP).os()).isEqualTo("Android");
      assertThat(UserAgents.classify(ANDROID_TABLET).deviceType()).isEqualTo("tablet");
      assertThat(UserAgents.classify(GOOGLEBOT).deviceType()).isEqualTo("bot");
    }

    @Test
    @DisplayName("the built-in classifier agrees on the common families")
    void builtIn() {
      assertThat(UserAgents.builtIn(CHROME_DESKTOP)).containsExactly("Chrome", "Windows");
      assertThat(UserAgents.builtIn(SAFARI_IPHONE)).containsExactly("Mobile Safari", "iOS");
      assertThat(UserAgents.builtIn(ANDROID_APP)).containsExactly("Other", "Android");
      assertThat(UserAgents.builtIn("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
          + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"))
          .containsExactly("Safari", "Mac OS X");
    }

    @Test
    @DisplayName("without uap-java on the class path the built-in classifier answers")
    void withoutUap() throws Exception {
      java.net.URL core = UserAgents.class.getProtectionDomain().getCodeSource().getLocation();
      java.net.URL jackson = com.fasterxml.jackson.databind.ObjectMapper.class
          .getProtectionDomain().getCodeSource().getLocation();
      java.net.URL jacksonCore = com.fasterxml.jackson.core.JsonFactory.class
          .getProtectionDomain().getCodeSource().getLocation();
      try (java.net.URLClassLoader loader = new java.net.URLClassLoader(
          new java.net.URL[] {core, jackson, jacksonCore}, ClassLoader.getPlatformClassLoader())) {
        Class<?> c = Class.forName(UserAgents.class.getName(), true, loader);
        assertThatThrownBy(() -> Class.forName("ua_parser.Parser", false, loader))
            .isInstanceOf(ClassNotFoundException.class);
        assertThat(c.getMethod("usesUap").invoke(null)).isEqualTo(false);
        assertThat(c.getMethod("classify", String.class).invoke(null, SAFARI_IPHONE).toString())
            .isEqualTo("Agent[deviceType=mobile, os=iOS, browser=Mobile Safari]");
        assertThat(c.getMethod("classify", String.class).invoke(null, GOOGLEBOT).toString())
            .isEqualTo("Agent[deviceType=bot, os=Other, browser=Other]");
      }
    }

    @Test
    @DisplayName("garbage and huge user agents give Other, never fail")
    void garbage() {
      for (String ua : List.of("", "\u0000\u0001", "x".repeat(1_000_000), "🙂🙂🙂",
          "Mozilla/5.0 (" + "(".repeat(10_000))) {
        UserAgents.Agent a = UserAgents.classify(ua);
        assertThat(a.deviceType()).isIn("desktop", "mobile", "tablet", "bot", "other");
        assertThat(a.os()).isNotBlank();
        assertThat(a.browser()).isNotBlank();
      }
      assertThat(UserAgents.classify("garbage/1.0")).isEqualTo(
          new UserAgents.Agent("other", "Other", "Other"));
    }

    @Test
    @DisplayName("the latest event with an agent decides; device_types collects them all")
    void latest() {
      Event desktop = page(0, "/", EventContext.builder().channel("web")
          .userAgent(CHROME_DESKTOP));
      Event phone = page(500, "/", EventContext.builder().channel("web")
          .userAgent(SAFARI_IPHONE));
      Event app = Event.screen("Home").messageId("app").anonymousId("a-1").timestamp(min(900))
          .context(EventContext.builder().channel("app").other(Map.of("os",
              Map.of("name", "Android", "version", "13"))).build()).build();
      Map<String, Object> v = values(List.of(app, phone, desktop));
      assertThat(v).containsEntry(WebTraits.DEVICE_TYPE, "mobile")
          .containsEntry(WebTraits.OS, "Android").containsEntry(WebTraits.BROWSER, "App")
          .containsEntry(WebTraits.DEVICE_TYPES, List.of("desktop", "mobile"));
    }
  }

  @Nested
  @DisplayName("search terms")
  class Search {
    static Event search(int minutes, Object query) {
      return Event.track("Products Searched").messageId("s-" + (n++)).anonymousId("a-1")
          .timestamp(min(minutes)).property("query", query).channel("web").build();
    }

    @Test
    @DisplayName("distinct, newest first; a repeated term moves to the front")
    void recent() {
      Map<String, Object> v = values(List.of(search(0, "shoes"), search(1, "bags"),
          search(2, "shoes"), search(3, "hats")));
      assertThat(v.get(WebTraits.RECENT_SEARCH_TERMS)).isEqualTo(List.of("hats", "shoes",
          "bags"));
    }

    @Test
    @DisplayName("10,000 terms keep the latest 50; a 1 MB term is cut to 200 characters")
    void bounded() {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        events.add(search(i, "term-" + i));
      }
      events.add(search(20_000, "q".repeat(1_000_000)));
      List<?> terms = (List<?>) values(events).get(WebTraits.RECENT_SEARCH_TERMS);
      assertThat(terms).hasSize(Partial.Recent.MAX_VALUES);
      assertThat((String) terms.get(0)).hasSize(Partial.Recent.MAX_VALUE_LENGTH);
      assertThat(terms.get(1)).isEqualTo("term-9999");
      assertThat(terms.get(49)).isEqualTo("term-9951");
    }
  }

  @Nested
  @DisplayName("limits and settings")
  class Limits {
    @Test
    @DisplayName("5,000 page views keep the latest 1,000 instants")
    void timelineBound() {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        events.add(page(i * 60, "/p"));                        // each its own session
      }
      ProfileState s = fold(PACK, events);
      Partial.Timeline t = (Partial.Timeline) s.computed().get(WebTraits.TIMELINE).total();
      assertThat(t.hits()).hasSize(Partial.Timeline.MAX_HITS);
      assertThat(t.hits().get(0).time()).isEqualTo(min(4_000 * 60));
      assertThat(PACK.values(s, min(0)).get(WebTraits.VISITS)).isEqualTo(1_000L);
    }

    @Test
    @DisplayName("settings are checked at once")
    void settings() {
      assertThatThrownBy(() -> WebTraits.builder().sessionTimeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session timeout");
      assertThatThrownBy(() -> WebTraits.builder().sessionTimeout(Duration.ofMinutes(5))
          .sessionTimeout(Duration.ofMinutes(6)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
      assertThatThrownBy(() -> WebTraits.builder().webChannels(" "))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
      assertThatThrownBy(() -> WebTraits.builder().searchProperty("a..b"))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the pack runs in a Cdp beside RetailTraits, through the whole pipeline")
    void inCdp() {
      MutableClock clock = new MutableClock(min(1_000));
      ComputedTraits both = RetailTraits.all().with(WebTraits.all().aggregates());
      // derived traits of the web pack are added by building the union explicitly
      both = ComputedTraits.of(new ArrayList<>(both.aggregates()), concat(
          RetailTraits.all().derived(), WebTraits.all().derived()));
      try (Cdp cdp = Cdp.builder().clock(clock).store(io.cdpkit.core.spi.storage.Store.inMemory())
          .computedTraits(both).build()) {
        cdp.ingest(page(0, "/", EventContext.builder().channel("web").userAgent(CHROME_DESKTOP)));
        cdp.ingest(page(5, "/shoes"));
        cdp.ingest(page(60, "/"));
        Profile p = cdp.profiles().find(Identifier.anonymousId("a-1")).orElseThrow();
        assertThat(p.computedTrait(WebTraits.VISITS)).contains(2L);
        assertThat(p.computedTrait(WebTraits.BOUNCE_RATE)).contains(new BigDecimal("0.5000"));
        assertThat(p.computedTrait(WebTraits.DEVICE_TYPE)).contains("desktop");
        assertThat(p.computedTrait(WebTraits.TIMELINE)).isEmpty();   // hidden
      }
    }

    static List<DerivedTrait> concat(java.util.Collection<DerivedTrait> a,
        java.util.Collection<DerivedTrait> b) {
      List<DerivedTrait> l = new ArrayList<>(a);
      l.addAll(b);
      return l;
    }
  }
}
