package io.cdpkit.core.spi.storage;

import java.util.Objects;

/**
 * Thrown when a module asks a store for a capability the store does not have (a store without
 * an outbox asked for one, say). The message names the capability.
 */
public final class UnsupportedCapabilityException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  private final String capability;

  public UnsupportedCapabilityException(Class<?> capability) {
    super("this store has no " + Objects.requireNonNull(capability, "capability").getName()
        + " capability");
    this.capability = capability.getName();
  }

  /** The fully qualified name of the capability's interface. */
  public String capability() {
    return capability;
  }
}
