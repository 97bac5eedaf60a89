package io.cdpkit.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.JsonValues;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The writer's check for unpaired surrogates trusts only the copies the door's text rule made:
 * a map or list copied without the rule (as values read back from a store are) is walked.
 */
class EventWriterTextTest {

  @Test
  void aCopyWithoutTheTextRuleIsStillWalked() {
    Map<String, Object> broken = Map.of("k", List.of("ok", Map.of("deep", "x\uD800")));
    Map<String, Object> unchecked = JsonValues.copyMap(broken);
    assertThat(JsonValues.textChecked(unchecked)).isFalse();
    assertThat(EventWriter.validText(unchecked)).isFalse();
    assertThat(EventWriter.validText(JsonValues.copyMap(Map.of("x\uDC00", "v")))).isFalse();
    assertThat(EventWriter.validText(JsonValues.copyMap(Map.of("k", List.of("a", "b")))))
        .isTrue();
  }

  @Test
  void theDoorsCopyIsTrustedBecauseItRefusedTheSurrogate() {
    Map<String, Object> fine = JsonValues.copyMap(Map.of("k", List.of("🎉", Map.of("d", "é"))),
        "/properties", 2);
    assertThat(JsonValues.textChecked(fine)).isTrue();
    assertThat(EventWriter.validText(fine)).isTrue();
    assertThatThrownBy(() -> JsonValues.copyMap(
        Map.of("k", List.of("x\uD800")), "/properties", 2))
        .isInstanceOf(InvalidEventException.class);
  }
}
