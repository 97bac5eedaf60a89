package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Segmentation on a store that keeps no memberships is refused when a workspace opens. */
class StoreWithoutSegmentStorageTest {

  @Test
  @DisplayName("segments() of a store without SegmentStorage throws UnsupportedCapabilityException"
      + " naming it, before anything is ingested")
  void refusedAtOpen() {
    Store store = new WithoutSegmentStorage(Store.inMemory());
    Segmentation segmentation = Segmentation.builder().build();

    assertThatThrownBy(() -> {
      try (Cdp cdp = Cdp.builder().store(store).extension(segmentation).build()) {
        segmentation.segments(WorkspaceId.of("shop"));
      }
    }).isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining(SegmentStorage.class.getName());
  }

  /** A store that answers every capability but {@link SegmentStorage} as the one it wraps. */
  private record WithoutSegmentStorage(Store store) implements Store {
    @Override
    public <T> T write(WorkspaceId workspace,
        Function<? super WriteTransaction, ? extends T> work) {
      return store.write(workspace, tx -> work.apply(hide(WriteTransaction.class, tx)));
    }

    @Override
    public <T> T read(WorkspaceId workspace, Function<? super ReadTransaction, ? extends T> work) {
      return store.read(workspace, tx -> work.apply(hide(ReadTransaction.class, tx)));
    }

    @Override
    public void close() {
      store.close();
    }

    private static <X> X hide(Class<X> type, X tx) {
      InvocationHandler h = (proxy, method, args) -> {
        if (method.getName().equals("capability") && args[0] == SegmentStorage.class) {
          return Optional.empty();
        }
        if (method.getName().equals("require") && args[0] == SegmentStorage.class) {
          throw new UnsupportedCapabilityException(SegmentStorage.class);
        }
        try {
          return method.invoke(tx, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      };
      return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }
  }

  @Test
  @DisplayName("the wrapper used above hides the capability and nothing else")
  void wrapperHidesOnlyTheCapability() {
    Store store = new WithoutSegmentStorage(Store.inMemory());
    boolean present = store.read(WorkspaceId.DEFAULT,
        tx -> tx.capability(SegmentStorage.class).isPresent());
    boolean metadata = store.read(WorkspaceId.DEFAULT,
        tx -> tx.capability(io.cdpkit.core.spi.storage.MetadataStorage.class).isPresent());

    assertThat(present).isFalse();
    assertThat(metadata).isTrue();
  }
}
