package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.core.InvalidEventException;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Crashes {@link EventCodecFuzzTest} found, each pinned by a plain test naming the bug. */
class EventCodecFuzzFindingsTest {
  private final EventCodec codec = EventCodec.create();

  /**
   * Four bytes that Jackson takes for UTF-32 (a zero byte in three of the first four) followed
   * by a code point above U+10FFFF.
   */
  private static final byte[] BAD_UTF32 = {0, 0, 0, '{', (byte) 0x81, (byte) 0xc2, (byte) 0xec,
      0, 0, 0, 0, '}'};

  @Test
  @DisplayName("bug: a body Jackson reads as UTF-32 with a code point above U+10FFFF escaped as "
      + "UncheckedIOException(CharConversionException) instead of InvalidEventException")
  void utf32CodePointOutOfRange() {
    InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
        () -> codec.decodeBody(BAD_UTF32));
    assertThat(e).isNotNull();
    assertThat(e.pointer()).isEmpty();
    assertThat(e.reason()).contains("character encoding");
    assertThat(catchThrowableOfType(InvalidEventException.class,
        () -> codec.decodeMessage(BAD_UTF32))).isNotNull();
    assertThat(catchThrowableOfType(InvalidEventException.class,
        () -> codec.decodeBody(new ByteArrayInputStream(BAD_UTF32)))).isNotNull();
  }
}
