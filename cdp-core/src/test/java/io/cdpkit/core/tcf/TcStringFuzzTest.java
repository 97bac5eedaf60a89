package io.cdpkit.core.tcf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

/**
 * Fuzzes {@link TcString#decode(String)}: the only exception that may escape is
 * {@link InvalidTcStringException}, and every string it accepts, written again by
 * {@link TcEncoder}, decodes to the same value. Each input is tried twice: as text, and as raw
 * bits (its bytes in base64url, split into segments at each {@code 0x2e} byte), so the fuzzer
 * reaches the fields behind the base64 layer.
 *
 * <p>{@code mvn verify} replays the inputs under
 * {@code src/test/resources/io/cdpkit/core/tcf/TcStringFuzzTestInputs/decode}; {@code JAZZER_FUZZ=1}
 * fuzzes for real (see "Fuzzing" in cdp-core's README).
 */
class TcStringFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] input) {
    check(new String(input, StandardCharsets.UTF_8));
    StringBuilder bits = new StringBuilder();
    int start = 0;
    for (int i = 0; i <= input.length; i++) {
      if (i == input.length || input[i] == '.') {
        if (start > 0) {
          bits.append('.');
        }
        byte[] part = Arrays.copyOfRange(input, start, i);
        bits.append(Base64.getUrlEncoder().withoutPadding().encodeToString(part));
        start = i + 1;
      }
    }
    check(bits.toString());
  }

  private static void check(String s) {
    TcString t;
    try {
      t = TcString.decode(s);
    } catch (InvalidTcStringException expected) {
      assertThat(expected.reason()).isNotBlank();
      return;
    }
    assertThat(TcString.decode(new TcEncoder(new Random(s.hashCode())).encode(t))).isEqualTo(t);
  }
}
