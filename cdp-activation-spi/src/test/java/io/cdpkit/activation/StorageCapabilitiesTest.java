package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.OutboxClaims;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.UnsupportedCapabilityException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Activation on a store that lacks its storage capabilities is refused when attached. */
class StorageCapabilitiesTest {

  private static Activation activation() {
    return Activation.builder()
        .channel("mail", new SpyProvider("spy", "email", IdentifierType.EMAIL), Map.of())
        .rule(Rule.builder("hello").trigger(Trigger.event("Hello")).channel("mail")
            .purpose("marketing").build())
        .build();
  }

  /** Calls {@code target}, answering empty when asked for {@code hidden}. */
  private static <T> T hiding(Class<T> type, T target, Class<?> hidden,
      Function<Object, Object> wrapResult) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().equals("capability") && args[0] == hidden) {
            return Optional.empty();
          }
          try {
            return wrapResult.apply(method.invoke(target, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }));
  }

  @Test
  @DisplayName("a store without OutboxClaims is refused when activation is attached, naming the"
      + " capability")
  void noClaims() {
    Store store = hiding(Store.class, Store.inMemory(), OutboxClaims.class, r -> r);
    Activation activation = activation();

    assertThatThrownBy(() -> Cdp.builder().store(store).extension(activation).build())
        .isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining(OutboxClaims.class.getName());
    assertThatThrownBy(() -> activation.dispatch(io.cdpkit.core.model.WorkspaceId.DEFAULT))
        .as("not attached").isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a store whose transactions have no OutboxStorage is refused when activation is"
      + " attached, naming the capability")
  void noOutboxStorage() {
    Store real = Store.inMemory();
    @SuppressWarnings("unchecked")
    Store store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(),
        new Class<?>[] {Store.class}, (proxy, method, args) -> {
          if (method.getName().equals("read")) {
            Function<ReadTransaction, Object> work = (Function<ReadTransaction, Object>) args[1];
            return real.read((io.cdpkit.core.model.WorkspaceId) args[0], tx -> work.apply(
                hiding(ReadTransaction.class, tx, OutboxStorage.class, r -> r)));
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });

    assertThatThrownBy(() -> Cdp.builder().store(store).extension(activation()).build())
        .isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining(OutboxStorage.class.getName())
        .satisfies(e -> assertThat(((UnsupportedCapabilityException) e).capability())
            .isEqualTo(OutboxStorage.class.getName()));
  }
}
