package io.cdpkit.segmentation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.memory.MemoryCapabilityProvider;
import io.cdpkit.core.spi.storage.memory.MemoryTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the in-memory {@link SegmentStorage} does beyond its contract
 * ({@code InMemorySegmentStorageContractTest}): how the store finds it, and that it refuses use
 * outside its transaction.
 */
class MemorySegmentStorageTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop");
  private static final ProfileId AYSE = ProfileId.of("p-ayse");
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00Z");

  @Test
  @DisplayName("the in-memory store finds the provider with ServiceLoader and has the capability")
  void foundByTheStore() {
    List<Class<?>> found = new ArrayList<>();
    ServiceLoader.load(MemoryCapabilityProvider.class).forEach(p -> found.add(p.getClass()));
    assertThat(found).contains(MemorySegmentStorage.class);

    try (Store store = Store.inMemory()) {
      boolean present = store.read(WS, tx -> tx.capability(SegmentStorage.class).isPresent());
      assertThat(present).isTrue();
      // One capability per transaction, however often it is asked for; a new one in the next.
      List<SegmentStorage> asked = new ArrayList<>();
      store.write(WS, tx -> {
        asked.add(tx.require(SegmentStorage.class));
        asked.add(tx.require(SegmentStorage.class));
        return null;
      });
      SegmentStorage next = store.write(WS, tx -> tx.require(SegmentStorage.class));
      assertThat(asked.get(1)).isSameAs(asked.get(0));
      assertThat(next).isNotSameAs(asked.get(0));
    }
  }

  @Test
  @DisplayName("the provider gives SegmentStorage only")
  void onlyItsType() {
    MemorySegmentStorage p = new MemorySegmentStorage();
    MemoryTransaction tx = new MemoryTransaction() {
      @Override
      public boolean writable() {
        return true;
      }

      @Override
      public void undo(Runnable undo) {}

      @Override
      public void onEnd(Runnable action) {}
    };
    Object state = p.newState();

    assertThat(p.open(SegmentStorage.class, state, tx)).isPresent();
    assertThat(p.open(Runnable.class, state, tx)).isEmpty();
    assertThat(p.newState()).isNotSameAs(state);
    assertThatThrownBy(() -> p.open(SegmentStorage.class, new Object(), tx))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a capability kept past the end of its transaction throws IllegalStateException"
      + " for reads and writes and changes nothing")
  void usableOnlyInsideItsTransaction() {
    try (Store store = Store.inMemory()) {
      SegmentStorage fromWrite = store.write(WS, tx -> {
        SegmentStorage st = tx.require(SegmentStorage.class);
        st.putMembership(new Membership("vip", AYSE, T0));
        return st;
      });
      SegmentStorage fromRead = store.read(WS, tx -> tx.require(SegmentStorage.class));

      for (SegmentStorage st : List.of(fromWrite, fromRead)) {
        assertThatThrownBy(() -> st.memberships(AYSE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.members("vip", null, 10))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.check(AYSE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.dueChecks(Instant.MAX, 1))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.putMembership(new Membership("late", AYSE, T0)))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteMembership("vip", AYSE))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.putCheck(new ScheduledCheck(AYSE, T0)))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> st.deleteCheck(AYSE)).isInstanceOf(IllegalStateException.class);
      }
      store.read(WS, tx -> {
        SegmentStorage st = tx.require(SegmentStorage.class);
        assertThat(st.memberships(AYSE)).containsExactly(new Membership("vip", AYSE, T0));
        assertThat(st.check(AYSE)).isEmpty();
        return null;
      });
    }
  }

  @Test
  @DisplayName("null arguments are refused naming the argument")
  void nullsRefused() {
    try (Store store = Store.inMemory()) {
      store.write(WS, tx -> {
        SegmentStorage st = tx.require(SegmentStorage.class);
        assertThatThrownBy(() -> st.memberships(null)).hasMessage("profile");
        assertThatThrownBy(() -> st.members(null, null, 1)).hasMessage("segment");
        assertThatThrownBy(() -> st.putMembership(null)).hasMessage("membership");
        assertThatThrownBy(() -> st.deleteMembership("vip", null)).hasMessage("profile");
        assertThatThrownBy(() -> st.check(null)).hasMessage("profile");
        assertThatThrownBy(() -> st.dueChecks(null, 1)).hasMessage("upTo");
        assertThatThrownBy(() -> st.putCheck(null)).hasMessage("check");
        assertThatThrownBy(() -> st.deleteCheck(null)).hasMessage("profile");
        return null;
      });
    }
  }
}
