package io.cdpkit.core.model;

import io.cdpkit.core.internal.Checks;

/**
 * A workspace (tenant): every event, identifier, profile and ledger entry belongs to exactly one,
 * and no call made in one workspace sees another's data. Hosts with one shop never name it and
 * use {@link #DEFAULT}.
 *
 * <p>Immutable. The value is 1 to 64 characters from {@code [A-Za-z0-9_.-]}.
 *
 * @param value the workspace's name
 */
public record WorkspaceId(String value) {
  /** The implicit workspace of a host with one shop. */
  public static final WorkspaceId DEFAULT = new WorkspaceId("default");

  public WorkspaceId {
    Checks.token(value, 64, "workspace id");
  }

  public static WorkspaceId of(String value) {
    return new WorkspaceId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
