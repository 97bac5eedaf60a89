package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Paging through every profile of a workspace through the public API. */
class ProfileListingTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  @DisplayName("pages of 7 list every live profile once, in id order, not a merged-away one, "
      + "nor another workspace's")
  void pages() {
    try (Cdp cdp = Cdp.builder().build()) {
      for (int i = 0; i < 25; i++) {
        cdp.ingest(Event.identify().messageId("i" + i).userId("C-" + i).timestamp(T).build());
      }
      // An anonymous visitor who then logs in as C-1: two profiles merge into one.
      cdp.ingest(Event.page("Home").messageId("p1").anonymousId("a-1").timestamp(T).build());
      assertThat(cdp.profiles().list(null, 1000)).hasSize(26);
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").anonymousId("a-1")
          .timestamp(T).build());
      cdp.workspace(WorkspaceId.of("other")).ingest(Event.identify().messageId("o")
          .userId("O-1").timestamp(T).build());
      Set<ProfileId> live = new HashSet<>();
      for (int i = 0; i < 25; i++) {
        live.add(cdp.profiles().find(Identifier.customerId("C-" + i)).orElseThrow().id());
      }
      List<ProfileId> listed = new ArrayList<>();
      ProfileId after = null;
      for (List<Profile> page; !(page = cdp.profiles().list(after, 7)).isEmpty(); ) {
        assertThat(page.size()).isLessThanOrEqualTo(7);
        page.forEach(p -> listed.add(p.id()));
        after = page.get(page.size() - 1).id();
      }
      assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(live);
      assertThat(listed).isSortedAccordingTo((a, b) -> a.value().compareTo(b.value()));
      assertThat(live).hasSize(25);
      assertThat(cdp.profiles().list(null, 1000).get(0).identifiers()).isNotEmpty();
      assertThatThrownBy(() -> cdp.profiles().list(null, 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> cdp.profiles().list(null, Profiles.MAX_PAGE + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
