package io.cdpkit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@code BodyDecoder.readAtMost}: a body of at most {@code max} bytes comes back whole and exact,
 * a larger one as {@code null} without reading far past {@code max}, whatever the declared length
 * (right, too small, too large, absent) and however the stream splits its reads.
 */
class ReadAtMostProperties {

  /** Gives {@code body} in reads of random sizes (1 to 5,000 bytes); counts what it gave. */
  private static final class Choppy extends InputStream {
    private final byte[] body;
    private final Random random;
    int pos;

    Choppy(byte[] body, long seed) {
      this.body = body;
      this.random = new Random(seed);
    }

    @Override
    public int read() {
      return pos < body.length ? body[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= body.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, body.length - pos), 1 + random.nextInt(5_000));
      System.arraycopy(body, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return Arbitraries.integers().between(0, 40_000).flatMap(n ->
        Arbitraries.bytes().array(byte[].class).ofSize(n));
  }

  @Property(tries = 400)
  void givesTheBodyExactlyOrNullPastTheLimit(@ForAll("bodies") byte[] body,
      @ForAll @IntRange(min = 0, max = 45_000) int max,
      @ForAll @IntRange(min = -3, max = 2) int declared, @ForAll long seed) throws IOException {
    // -3: no length; -2, -1, 0, 1, 2: the body's length off by that much (clamped at 0)
    long expected = declared == -3 ? -1 : Math.max(0, body.length + declared);
    Choppy in = new Choppy(body, seed);
    byte[] read = BodyDecoder.readAtMost(in, max, expected);
    if (body.length <= max) {
      assertThat(read).isEqualTo(body);
    } else {
      assertThat(read).isNull();
      assertThat(in.pos).as("bytes read past the limit").isLessThanOrEqualTo(max + 1);
    }
  }

  @Example
  void aDeclaredLengthLargerThanTheLimitIsNotAllocated() throws IOException {
    byte[] body = new byte[100];
    assertThat(BodyDecoder.readAtMost(new Choppy(body, 1), 1_000, Integer.MAX_VALUE))
        .isEqualTo(body);
    assertThat(BodyDecoder.readAtMost(new Choppy(new byte[1_001], 1), 1_000, Integer.MAX_VALUE))
        .isNull();
  }
}
