package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A key rotation reports through the library's one progress type: the table is the phase. */
class KeyRotationListenerTest {
  @Test
  void tableIsThePhase() {
    List<String> heard = new ArrayList<>();
    KeyRotation.Listener l = KeyRotation.Listener.of(
        (phase, done, total) -> heard.add(phase + ":" + done + ":" + total));
    l.progress("cdp_profiles", 500, false);
    l.progress("cdp_profiles", 742, true);
    l.progress("cdp_events", 10, false);
    long unknown = ProgressListener.UNKNOWN;
    assertThat(heard).containsExactly("cdp_profiles:500:" + unknown,
        "cdp_profiles:742:" + unknown, "cdp_events:10:" + unknown);
  }
}
