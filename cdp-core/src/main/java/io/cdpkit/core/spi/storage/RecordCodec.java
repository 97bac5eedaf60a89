package io.cdpkit.core.spi.storage;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.internal.json.RecordJson;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Storage records as JSON text, for stores that keep them in text or JSON columns. For every
 * record a write method accepts, the matching read method gives back an equal record:
 * {@code readProfile(writeProfile(p)).equals(p)}, and so on for events, components, links and
 * ledger entries. Trait values keep their exact types (a {@code BigDecimal} its scale, a
 * {@code Long} stays a {@code Long}, a trait set to {@code null} stays present with a
 * {@code null} value), instants keep their nanoseconds, and events are embedded in the
 * Segment-shaped form {@link io.cdpkit.core.json.EventCodec} writes.
 *
 * <pre>{@code
 * RecordCodec codec = RecordCodec.create();
 * statement.setString(2, codec.writeProfile(profile));
 * ...
 * ProfileRecord p = codec.readProfile(resultSet.getString("data"));
 * }</pre>
 *
 * <p>The text is persisted, so its format changes only together with a store migration; the
 * format is described in {@code io.cdpkit.core.internal.json.RecordJson}. Reading is strict: an
 * unknown key, a missing key or a value of the wrong type is an error rather than silently
 * dropped data.
 *
 * <p>Errors never carry personal data: a read method's {@link StorageException} names the record
 * kind, the field (by the format's own key names) and the problem, never a value.
 *
 * <p>Thread-safe: one codec can serve every connection of a store.
 */
public final class RecordCodec {
  private final RecordJson json;

  private RecordCodec() {
    this.json = new RecordJson();
  }

  /** A codec. Creating one is cheap, but one per store is enough. */
  public static RecordCodec create() {
    return new RecordCodec();
  }

  /**
   * The stored event as JSON text.
   *
   * @throws IllegalArgumentException when the event could not be read back equal (see
   *     {@link io.cdpkit.core.json.EventCodec#encode}) or a string holds an unpaired UTF-16
   *     surrogate
   */
  public String writeEvent(StoredEvent event) {
    return json.writeEvent(Objects.requireNonNull(event, "event"));
  }

  /**
   * {@link #writeEvent}'s text encoded as UTF-8, written as bytes directly: for a store that
   * sends the text as bytes, without building the string and encoding it again.
   *
   * @throws IllegalArgumentException as {@link #writeEvent} does
   */
  public byte[] writeEventUtf8(StoredEvent event) {
    return json.writeEventUtf8(Objects.requireNonNull(event, "event"));
  }

  /**
   * The stored event {@link #writeEvent} wrote.
   *
   * @throws StorageException (not retryable) when the text is not a stored event
   */
  public StoredEvent readEvent(String json) {
    return this.json.readEvent(Objects.requireNonNull(json, "json"));
  }

  /**
   * The profile record as JSON text.
   *
   * @throws IllegalArgumentException when a trait value is not JSON-like (null, String, Boolean,
   *     Long, BigDecimal, List, Map with string keys) or a string holds an unpaired UTF-16
   *     surrogate
   */
  public String writeProfile(ProfileRecord profile) {
    return json.writeProfile(Objects.requireNonNull(profile, "profile"));
  }

  /**
   * {@link #writeProfile}'s text encoded as UTF-8, written as bytes directly.
   *
   * @throws IllegalArgumentException as {@link #writeProfile} does
   */
  public byte[] writeProfileUtf8(ProfileRecord profile) {
    return json.writeProfileUtf8(Objects.requireNonNull(profile, "profile"));
  }

  /**
   * The profile record {@link #writeProfile} wrote.
   *
   * @throws StorageException (not retryable) when the text is not a profile record
   */
  public ProfileRecord readProfile(String json) {
    return this.json.readProfile(Objects.requireNonNull(json, "json"));
  }

  /**
   * A profile record for a store that keeps each of its orders in a row of its own
   * ({@link #writeOrder}): the text of {@link #writeProfile} without the orders, but with their
   * number, so that a reader can tell a head whose orders are missing from a profile without
   * orders.
   *
   * @throws IllegalArgumentException as {@link #writeProfile} does
   */
  public String writeProfileHead(ProfileRecord profile) {
    return json.writeProfileHead(Objects.requireNonNull(profile, "profile"));
  }

  /**
   * {@link #writeProfileHead}'s text encoded as UTF-8, written as bytes directly.
   *
   * @throws IllegalArgumentException as {@link #writeProfile} does
   */
  public byte[] writeProfileHeadUtf8(ProfileRecord profile) {
    return json.writeProfileHeadUtf8(Objects.requireNonNull(profile, "profile"));
  }

  /**
   * A profile text as {@link #writeProfileHead} or {@link #writeProfile} wrote it, and the
   * number of orders kept apart from it.
   *
   * @param profile the record: without orders for a head, whole otherwise
   * @param orderRows the number of orders the head's profile keeps apart; 0 for a whole text
   */
  public record ProfileHead(ProfileRecord profile, int orderRows) {
    /**
     * The whole profile: this head with the orders kept apart from it, as {@link #readOrder}
     * read them (their order ids with their entries). A head without orders kept apart is
     * given back as it is (a text that holds its orders itself).
     *
     * @throws StorageException (not retryable) when the orders are not as many as the head
     *     counts, or two of them have one order id: the message gives the counts, no data
     */
    public ProfileRecord withOrders(List<Map.Entry<String, ProfileState.OrderEntry>> orders) {
      if (orders.size() != orderRows) {
        throw new StorageException("profile record: the head counts " + orderRows
            + " orders, and " + orders.size() + " order rows were found", false, null);
      }
      if (orders.isEmpty()) {
        return profile;
      }
      Map<String, ProfileState.OrderEntry> byId = new HashMap<>(orders.size() * 2);
      for (Map.Entry<String, ProfileState.OrderEntry> e : orders) {
        if (byId.put(e.getKey(), e.getValue()) != null) {
          throw new StorageException("profile record: two order rows of a profile hold the"
              + " same order id", false, null);
        }
      }
      return new ProfileRecord(profile.id(), profile.state().withOrders(byId),
          profile.identifierCounts(), profile.version());
    }
  }

  /**
   * The record and the number of orders kept apart of a text {@link #writeProfileHead} (or
   * {@link #writeProfile}) wrote. {@link #readProfile} refuses a head whose profile has orders.
   *
   * @throws StorageException (not retryable) when the text is not a profile record
   */
  public ProfileHead readProfileHead(String json) {
    RecordJson.Head h = this.json.readProfileHead(Objects.requireNonNull(json, "json"));
    return new ProfileHead(h.record(), h.orderRows());
  }

  /**
   * One order entry of a profile as JSON text, with its order id: the row of its own that a
   * store writes beside a {@linkplain #writeProfileHead head}, once when the order or one of its
   * refunds arrives, instead of with every later write of the profile.
   *
   * @throws IllegalArgumentException when a string holds an unpaired UTF-16 surrogate
   */
  public String writeOrder(String orderId, ProfileState.OrderEntry entry) {
    return json.writeOrder(Objects.requireNonNull(orderId, "orderId"),
        Objects.requireNonNull(entry, "entry"));
  }

  /**
   * {@link #writeOrder}'s text encoded as UTF-8, written as bytes directly.
   *
   * @throws IllegalArgumentException as {@link #writeOrder} does
   */
  public byte[] writeOrderUtf8(String orderId, ProfileState.OrderEntry entry) {
    return json.writeOrderUtf8(Objects.requireNonNull(orderId, "orderId"),
        Objects.requireNonNull(entry, "entry"));
  }

  /**
   * The order id and entry {@link #writeOrder} wrote.
   *
   * @throws StorageException (not retryable) when the text is not an order entry
   */
  public Map.Entry<String, ProfileState.OrderEntry> readOrder(String json) {
    return this.json.readOrder(Objects.requireNonNull(json, "json"));
  }

  /**
   * The component record as JSON text.
   *
   * @throws IllegalArgumentException when a string holds an unpaired UTF-16 surrogate
   */
  public String writeComponent(ComponentRecord component) {
    return json.writeComponent(Objects.requireNonNull(component, "component"));
  }

  /**
   * The component record {@link #writeComponent} wrote.
   *
   * @throws StorageException (not retryable) when the text is not a component record
   */
  public ComponentRecord readComponent(String json) {
    return this.json.readComponent(Objects.requireNonNull(json, "json"));
  }

  /**
   * The link as JSON text.
   *
   * @throws IllegalArgumentException when a string holds an unpaired UTF-16 surrogate
   */
  public String writeLink(Link link) {
    return json.writeLink(Objects.requireNonNull(link, "link"));
  }

  /**
   * The link {@link #writeLink} wrote.
   *
   * @throws StorageException (not retryable) when the text is not a link
   */
  public Link readLink(String json) {
    return this.json.readLink(Objects.requireNonNull(json, "json"));
  }

  /**
   * The ledger entry as JSON text.
   *
   * @throws IllegalArgumentException when a string holds an unpaired UTF-16 surrogate
   */
  public String writeLedger(LedgerEntry entry) {
    return json.writeLedger(Objects.requireNonNull(entry, "entry"));
  }

  /**
   * The ledger entry {@link #writeLedger} wrote.
   *
   * @throws StorageException (not retryable) when the text is not a ledger entry
   */
  public LedgerEntry readLedger(String json) {
    return this.json.readLedger(Objects.requireNonNull(json, "json"));
  }
}
