package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * {@link Regex}: the patterns of {@code regex} conditions meet forged texts in linear time, and
 * patterns that would take unbounded time or memory to compile are refused with a reason.
 */
class RegexTest {
  /** Patterns that make a backtracking engine take time exponential in the text. */
  static final List<String> CATASTROPHIC = List.of("(a+)+$", "^(\\w+\\s?)+$", "(a|a)*b",
      "^(a|aa)+$", "(.*a){12}$");

  @Test
  void catastrophicPatternsMeetForgedTextsInLinearTime() {
    String forged = "a".repeat(20_000) + "!";
    // java.util.regex needs 2^n steps for the first of these on n characters: with n = 20,000
    // it would not return in this test's lifetime.
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (String p : CATASTROPHIC) {
        Regex r = Regex.compile(p);
        assertThat(r.find(forged)).as(p).isFalse();
        assertThat(r.find("aab")).as(p)
            .isEqualTo(java.util.regex.Pattern.compile(p).matcher("aab").find());
      }
    });
  }

  @Test
  void aForgedEventPropertyDoesNotStallIngestion() {
    ComputedTrait tagged = ComputedTrait.builder("tagged", Aggregation.COUNT)
        .filter(EventFilter.named("Order Completed")
            .and(PropertyCondition.of("coupon", Operator.REGEX, "^(\\w+\\s?)+$")))
        .build();
    try (Cdp cdp = Cdp.builder().computedTraits(ComputedTraits.of(List.of(tagged), List.of())).build()) {
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        cdp.ingest(Event.track("Order Completed").messageId("m-1").userId("C-1")
            .property("coupon", "a".repeat(30_000) + "!").build());
        cdp.ingest(Event.track("Order Completed").messageId("m-2").userId("C-1")
            .property("coupon", "SUMMER SALE").build());
      });
      Map<String, Object> traits = cdp.profiles().find(Identifier.customerId("C-1"))
          .map(Profile::computedTraits).orElseThrow();
      assertThat(traits).containsEntry("tagged", 1L);
    }
  }

  @Test
  void refusesWhatRe2DoesNotSupportSayingWhat() {
    assertThat(Regex.problem("(?=x)a")).contains("(?=");
    assertThat(Regex.problem("(a)\\1")).contains("\\1");
    assertThat(Regex.problem("\\p{javaWhitespace}")).contains("javaWhitespace");
    assertThat(Regex.problem("a{2,1}")).contains("{2,1}");
    assertThat(Regex.problem("(['")).contains("missing closing ]");
    assertThatThrownBy(() -> Regex.compile("(?<=x)a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("regex is not a valid pattern: ");
    assertThat(Operator.REGEX.checkOperands(List.of("a++")))
        .startsWith("regex is not a valid pattern: ");
  }

  @Test
  void refusesPatternsTooLargeToCompileBeforeCompilingThem() {
    // RE2/J itself runs out of heap on the first, and out of stack on the second with 5,000
    // levels (here 400, as 5,000 exceed the length limit).
    assertThat(Regex.problem("((a{1000}){1000}){1000}")).startsWith("larger than 1000 units");
    assertThat(Regex.problem("(".repeat(400) + "a" + ")".repeat(400)))
        .isEqualTo("groups nested more than 50 deep");
    assertThat(Regex.problem("(".repeat(50) + "a" + ")".repeat(50))).isNull();
    assertThat(Regex.problem("(".repeat(51) + "a" + ")".repeat(51))).isNotNull();
    assertThat(Regex.problem("a".repeat(1_000))).isNull();
    assertThat(Regex.problem("a".repeat(1_001))).isEqualTo("longer than 1000 characters");
    // an unmatched ) does not hide what follows it
    assertThat(Regex.problem("a)(b{1000}){1000}")).startsWith("larger than");
    // a repetition inside a class, quoted, or escaped is a literal
    assertThat(Regex.problem("[{1000}]{1000}")).isNull();
    assertThat(Regex.problem("a{1000}")).isNull();
    assertThat(Regex.problem("a{1000}b")).startsWith("larger than 1000 units");
    assertThat(Regex.problem("\\Q(a{1000}){1000}\\E")).isNull();
    assertThat(Regex.problem("\\{1000}\\{1000}")).isNull();
  }

  @Test
  void caseFoldingOfCodePointsRe2jCannotFoldIsRefusedBeforeCompiling() {
    // RE2/J 1.8 loops forever compiling each of these; the check must answer first.
    List<String> hang = List.of("(?i)\u1C80", "(?i)\\x{1C84}", "(?i)[\\x{1000}-\\x{1FFF}]",
        "(?i)[^a\\x{1C00}-\\x{1CFF}]", "(?i:a)[\\x{1C88}]", "(?is)x[a-\uFFFF]",
        "(?i)[[:alpha:]\\x{1C00}-\\x{1C85}]", "(?i)[]\\x{1C81}-\\x{1C82}]", "(?i)[--\\x{1FFF}]",
        "(?i)[^=1/{[:?w]Q{[a-\\x{FFFF}]");
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (String p : hang) {
        assertThat(Regex.problem(p)).as(p).contains("U+1C80-U+1C88");
      }
      // without case folding, and with ranges beside them, the same code points are fine
      for (String p : List.of("\u1C80", "[\\x{1000}-\\x{1FFF}]", "(?i)[\\x{1C89}-\\x{10FFFF}]",
          "(?i)[\\x{0}-\\x{1C7F}]", "(?i)\\p{Cyrillic}", "(?i)[^a]")) {
        assertThat(Regex.problem(p)).as(p).isNull();
        Regex.compile(p).find("\u1C80\u0432");
      }
    });
    // the text may hold them: only the pattern is folded
    assertThat(Regex.compile("(?i)\u0432").find("x\u1C80\u0412")).isTrue();
  }

  /**
   * The code points {@link Regex.Folding} refuses cover every code point whose case orbit
   * RE2/J's folding does not close on the Java this runs on: a newer Java or RE2/J that adds one
   * fails here, before a pattern can hang a thread.
   */
  @Test
  void theRefusedCodePointsCoverEveryOrbitRe2jDoesNotClose() throws Throwable {
    java.lang.invoke.MethodHandle fold = java.lang.invoke.MethodHandles.privateLookupIn(
        Class.forName("com.google.re2j.Unicode"), java.lang.invoke.MethodHandles.lookup())
        .findStatic(Class.forName("com.google.re2j.Unicode"), "simpleFold",
            java.lang.invoke.MethodType.methodType(int.class, int.class));
    List<Integer> unclosed = new java.util.ArrayList<>();
    for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
      int r = c;
      boolean closed = false;
      for (int step = 0; step < 20 && !closed; step++) {
        r = (int) fold.invokeExact(r);
        closed = r == c;
      }
      if (!closed) {
        unclosed.add(c);
      }
    }
    assertThat(unclosed).isNotEmpty().allSatisfy(c ->
        assertThat(c).isBetween(Regex.Folding.FIRST, Regex.Folding.LAST));
  }

  @Test
  void sizeCountsWhatRepetitionsMultiply() {
    assertThat(Regex.Size.units("[0-9]{4}")).isEqualTo(4);
    assertThat(Regex.Size.units("(ab){3}")).isEqualTo(9);
    assertThat(Regex.Size.units("(a{10}){10}")).isEqualTo(110);
    assertThat(Regex.Size.units("a{2,}")).isEqualTo(3);
    assertThat(Regex.Size.units("\\Qabc\\E{2}")).isEqualTo(6);
    assertThat(Regex.Size.units("a{x}")).isEqualTo(4);
  }

  @Test
  void findsAnywhereAndAnchors() {
    assertThat(Regex.compile("gold").find("Goldgold")).isTrue();
    assertThat(Regex.compile("^gold$").find("golden")).isFalse();
    assertThat(Regex.compile("(?i)^GOLD$").find("gold")).isTrue();
    assertThat(Regex.compile("\\p{Z}solved").find("\u00a0solved")).isTrue();
    assertThat(Regex.compile("\\Qa.b\\E").find("axb")).isFalse();
    assertThat(Regex.compile("a|ab").matches("ab")).isTrue();
    assertThat(Regex.compile("a").matches("ab")).isFalse();
    assertThat(Regex.compile("closed$").find("closed\n")).isFalse();
    assertThat(Regex.compile("a").equals(Regex.compile("a"))).isTrue();
    assertThat(Regex.compile("a")).isNotEqualTo(Regex.compile("b"));
  }

  /** Any text is either refused with a reason or compiles and matches without an error. */
  @Property(tries = 2_000)
  void anyTextIsRefusedOrMatches(@ForAll("patterns") String pattern,
      @ForAll @StringLength(max = 40) String text) {
    String why = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      String w = Regex.problem(pattern);
      if (w == null) {
        Regex.compile(pattern).find(text);
      }
      return w;
    });
    if (why != null) {
      assertThat(why).isNotBlank();
      assertThatThrownBy(() -> Regex.compile(pattern))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
    }
  }

  /**
   * On the syntax RE2 and {@code java.util.regex} share, a pattern finds what it found before
   * patterns were matched by RE2/J.
   */
  @Property(tries = 2_000)
  void sharedSyntaxFindsWhatJavaUtilRegexFinds(@ForAll("sharedPatterns") String pattern,
      @ForAll("texts") String text) {
    assertThat(Regex.compile(pattern).find(text)).as(pattern + " in " + text)
        .isEqualTo(java.util.regex.Pattern.compile(pattern).matcher(text).find());
  }

  @Provide
  Arbitrary<String> patterns() {
    // with (?i) now and then, and a code point RE2/J cannot fold
    return Arbitraries.strings().withChars("()[]{}\\|*+?.^$a1,:QEpPx-=!<>ii\u1C80")
        .ofMaxLength(60);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().withChars("ab1 .").ofMaxLength(12);
  }

  @Provide
  Arbitrary<String> sharedPatterns() {
    return Arbitraries.recursive(
        () -> Arbitraries.of("a", "b", "1", ".", "[ab]", "[^a]", "\\d", "\\s", "\\.", "^", "$"),
        inner -> Arbitraries.oneOf(
            inner.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l)),
            Arbitraries.of("*", "+", "?", "{2}", "{1,3}", "*?")
                .flatMap(q -> inner.map(p -> "(" + p + ")" + q)),
            inner.list().ofMinSize(2).ofMaxSize(3).map(l -> "(?:" + String.join("|", l) + ")")),
        4);
  }
}
