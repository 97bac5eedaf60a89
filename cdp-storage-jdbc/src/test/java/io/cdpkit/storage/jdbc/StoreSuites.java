package io.cdpkit.storage.jdbc;

import io.cdpkit.activation.spi.storage.OutboxStorageContractTest;
import io.cdpkit.core.spi.storage.MetadataStorageContractTest;
import io.cdpkit.core.spi.storage.PrivacyStorageContractTest;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.StoreContractTest;
import io.cdpkit.segmentation.spi.storage.SegmentStorageContractTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Every storage contract suite (the engine's records, and each capability the JDBC store has)
 * against one store set-up: a subclass says how a store is opened and closed, and each suite
 * runs as a nested class of it. A failure names the set-up it failed on (the suites' own
 * classes are the same for every set-up, so their names alone would not tell).
 */
@ExtendWith(StoreSuites.NamedFailures.class)
abstract class StoreSuites {
  /** Prefixes a failure's message with the store set-up's class name. */
  static final class NamedFailures implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure)
        throws Throwable {
      if (failure instanceof TestAbortedException) {
        throw failure; // an assumption: the test is skipped, not failed
      }
      ExtensionContext top = context;
      while (top.getParent().flatMap(ExtensionContext::getParent).isPresent()) {
        top = top.getParent().get();
      }
      String setUp = top.getTestClass().map(Class::getSimpleName).orElse("?");
      throw new AssertionError("on " + setUp + ": " + failure, failure);
    }
  }

  /** A new store on empty storage. */
  protected abstract Store createStore();

  /** Closes a store {@link #createStore} made, and drops its storage. */
  protected void closeStore(Store store) {
    store.close();
  }

  @Nested
  class Engine extends StoreContractTest {
    @Override
    protected Store createStore() {
      return StoreSuites.this.createStore();
    }

    @Override
    protected void closeStore(Store store) {
      StoreSuites.this.closeStore(store);
    }
  }

  @Nested
  class Metadata extends MetadataStorageContractTest {
    @Override
    protected Store createStore() {
      return StoreSuites.this.createStore();
    }

    @Override
    protected void closeStore(Store store) {
      StoreSuites.this.closeStore(store);
    }
  }

  @Nested
  class Privacy extends PrivacyStorageContractTest {
    @Override
    protected Store createStore() {
      return StoreSuites.this.createStore();
    }

    @Override
    protected void closeStore(Store store) {
      StoreSuites.this.closeStore(store);
    }
  }

  @Nested
  class Segments extends SegmentStorageContractTest {
    @Override
    protected Store createStore() {
      return StoreSuites.this.createStore();
    }

    @Override
    protected void closeStore(Store store) {
      StoreSuites.this.closeStore(store);
    }
  }

  @Nested
  class Outbox extends OutboxStorageContractTest {
    @Override
    protected Store createStore() {
      return StoreSuites.this.createStore();
    }

    @Override
    protected void closeStore(Store store) {
      StoreSuites.this.closeStore(store);
    }
  }
}
