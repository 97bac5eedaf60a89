package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Checks#token} accepts exactly what {@code [A-Za-z0-9_.-]{1,max}} matches. */
class ChecksProperties {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  @Provide
  Arbitrary<String> candidates() {
    // Mostly token characters, with neighbours of every range's ends, controls, non-ASCII
    // letters that look alike, and surrogates.
    Arbitrary<Character> near = Arbitraries.of('a', 'z', 'A', 'Z', '0', '9', '_', '.', '-',
        '`', '{', '@', '[', '/', ':', '^', ',', ' ', '\u0000', '\u007f', '\u0080', '\u00e9',
        '\u0430', '\uff21', '\ud800', '\udc00');
    Arbitrary<Character> any = Arbitraries.chars();
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, near), net.jqwik.api.Tuple.of(1, any))
        .list().ofMinSize(0).ofMaxSize(70)
        .map(cs -> {
          StringBuilder b = new StringBuilder();
          cs.forEach(b::append);
          return b.toString();
        });
  }

  @Property(tries = 3_000)
  void acceptsExactlyTheTokenPattern(@ForAll("candidates") String s) {
    if (TOKEN.matcher(s).matches()) {
      assertThat(Checks.token(s, 64, "id")).isSameAs(s);
    } else {
      assertThatThrownBy(() -> Checks.token(s, 64, "id"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("id ");
    }
  }
}
