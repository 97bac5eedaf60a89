package io.cdpkit.core.spi.extension;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.util.Map;
import java.util.Set;

/**
 * The personal data a module keeps in records of its own (segmentation's memberships,
 * activation's outbox and delivery history), so that a person's export shows them and her
 * erasure deletes them. The core finds implementations with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services} entry of this interface's name), so a module on the class path takes
 * part in every export and erasure whether or not it is attached to the {@code Cdp} doing it.
 *
 * <p>Both calls run inside the export's or the erasure's transaction; a module reaches its
 * records through {@link ReadTransaction#capability} and does nothing when the store does not
 * have its capability (it then holds none of its records).
 *
 * <p>Implementations are thread-safe and keep no state.
 */
public interface PersonalRecords {
  /**
   * Adds the person's records to her export: top-level fields of {@code export} whose names are
   * this module's own. The core redacts other people's identifier values inside them, as
   * everywhere else in the export.
   *
   * @param profiles the person's profile ids, her live one and those merged into it
   */
  void export(ReadTransaction transaction, Set<ProfileId> profiles, ObjectNode export);

  /**
   * Deletes every record of these profile ids.
   *
   * @param profiles the person's profile ids, her live one and those merged into it
   * @return how many records of each kind were deleted, by kind (the names the erasure report
   *     uses: {@code memberships}, {@code scheduledChecks}, {@code outboxEntries},
   *     {@code deliveries}, or a module's own)
   */
  Map<String, Integer> erase(WriteTransaction transaction, Set<ProfileId> profiles);
}
