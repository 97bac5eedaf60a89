package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store keeps profile ids for scans in a sorted array that is rebuilt as profiles
 * are added, and drops removed ids at a rebuild: a removal rolled back after such a rebuild must
 * still leave its profile in scans, exactly once.
 */
class InMemoryProfileOrderTest {
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;

  private static ProfileRecord profile(String id) {
    return new ProfileRecord(ProfileId.of(id), ProfileState.EMPTY, Map.of(), 1);
  }

  private static List<ProfileId> scan(Store store) {
    return store.read(WS, tx -> tx.profilesAfter(null, 100_000).stream()
        .map(ProfileRecord::id).toList());
  }

  @Test
  @DisplayName("a profile deleted, then rolled back to a savepoint after thousands of new"
      + " profiles, is scanned once; the new ones are not")
  void rollbackAfterRebuilds() {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      for (int i = 0; i < 5000; i++) {
        tx.putProfile(profile(String.format("p%05d", i)));
      }
      return null;
    });
    List<ProfileId> before = scan(store);
    assertThat(before).hasSize(5000).isSorted();
    store.write(WS, tx -> {
      Savepoint sp = tx.savepoint();
      for (int i = 0; i < 5000; i += 2) {
        tx.deleteProfile(ProfileId.of(String.format("p%05d", i)));
      }
      for (int i = 0; i < 9000; i++) {
        tx.putProfile(profile(String.format("q%05d", i)));
      }
      tx.rollbackTo(sp);
      tx.putProfile(profile("p00000"));
      return null;
    });
    assertThat(scan(store)).isEqualTo(before);
    List<ProfileId> tail = store.read(WS, tx -> tx.profilesAfter(ProfileId.of("p04997"), 10)
        .stream().map(ProfileRecord::id).toList());
    assertThat(tail).containsExactly(ProfileId.of("p04998"), ProfileId.of("p04999"));
  }
}
