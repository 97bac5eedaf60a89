package io.cdpkit.core.catalog;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.internal.Text;
import io.cdpkit.core.model.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One product of a workspace's catalog: its sku (the key), and what segments and computed traits
 * may ask of it: name, category, type, brand, group (the product a variant belongs to: one shirt
 * in several sizes), price, stock, when it was created, and up to {@value #MAX_ATTRIBUTES}
 * attributes of the host's own (colour, season, ...).
 *
 * <p>The fields a property path reads after {@code $catalog} ({@link #fields()}): {@code sku},
 * {@code name}, {@code category}, {@code type}, {@code brand}, {@code group} (strings),
 * {@code price} (a decimal in major units), {@code currency}, {@code stock} (a whole number),
 * {@code available} ({@code true} unless the stock is known to be 0), {@code created_at} (an
 * instant), and each attribute under its own name. A field the product does not have is absent.
 *
 * <p>Limits: the sku is 1 to {@value #MAX_SKU_LENGTH} characters, texts at most
 * {@value #MAX_TEXT_LENGTH}, without control or invisible characters (stripped of surrounding
 * white space); a price is 0 or more with at most its currency's decimals; a stock 0 or more;
 * attribute names 1 to {@value #MAX_ATTRIBUTE_NAME_LENGTH} characters without {@code .},
 * {@code [}, {@code ]}, not starting with {@code $} and not one of the fields above; attribute
 * values strings, numbers or booleans.
 *
 * <p>Immutable.
 */
public final class Product {
  /** Longest sku, in characters. */
  public static final int MAX_SKU_LENGTH = 128;
  /** Longest name, category, type, brand, group or attribute text, in characters. */
  public static final int MAX_TEXT_LENGTH = 200;
  /** Longest attribute name, in characters. */
  public static final int MAX_ATTRIBUTE_NAME_LENGTH = 64;
  /** Most attributes of the host's own. */
  public static final int MAX_ATTRIBUTES = 32;

  /** The names of the fields every product may have, in the order {@link #fields()} lists them. */
  public static final Set<String> FIELDS = Collections.unmodifiableSet(
      new java.util.LinkedHashSet<>(java.util.List.of("sku", "name", "category", "type", "brand",
          "group", "price", "currency", "stock", "available", "created_at")));

  private static final Set<String> PROPERTY_KEYS = Set.of("sku", "product_id", "name",
      "category", "type", "brand", "group", "price", "currency", "stock", "created_at",
      "attributes");

  private final String sku;
  private final @Nullable String name;
  private final @Nullable String category;
  private final @Nullable String type;
  private final @Nullable String brand;
  private final @Nullable String group;
  private final @Nullable Money price;
  private final @Nullable Long stock;
  private final @Nullable Instant createdAt;
  private final Map<String, Object> attributes;
  private final Map<String, Object> fields;

  private Product(Builder b) {
    this.sku = b.sku;
    this.name = b.name;
    this.category = b.category;
    this.type = b.type;
    this.brand = b.brand;
    this.group = b.group;
    this.price = b.price;
    this.stock = b.stock;
    this.createdAt = b.createdAt;
    this.attributes = Collections.unmodifiableMap(new TreeMap<>(b.attributes));
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("sku", sku);
    putIf(f, "name", name);
    putIf(f, "category", category);
    putIf(f, "type", type);
    putIf(f, "brand", brand);
    putIf(f, "group", group);
    if (price != null) {
      f.put("price", price.toBigDecimal());
      f.put("currency", price.currency());
    }
    putIf(f, "stock", stock);
    f.put("available", stock == null || stock > 0);
    putIf(f, "created_at", createdAt);
    f.putAll(attributes);
    this.fields = Collections.unmodifiableMap(f);
  }

  private static void putIf(Map<String, Object> m, String k, @Nullable Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  /**
   * A builder for the product with this sku.
   *
   * @throws IllegalArgumentException when the sku is blank, too long or holds a control or
   *     invisible character
   */
  public static Builder builder(String sku) {
    return new Builder(sku);
  }

  /**
   * Reads a product from the properties of a catalog event or a line of a bulk import:
   * {@code sku} (else {@code product_id}; a string or a whole number), {@code name},
   * {@code category}, {@code type}, {@code brand}, {@code group}, {@code price} with
   * {@code currency} (an ISO 4217 code in any case), {@code stock}, {@code created_at} (an
   * ISO-8601 instant, with {@code Z} or an offset, or a date, read as UTC midnight) and
   * {@code attributes} (an object of strings, numbers and booleans). Any other key is refused,
   * so that a misspelt field is not silently lost.
   *
   * @throws InvalidEventException naming the field ({@code /price}, {@code /attributes/colour})
   *     and what is wrong with it
   */
  public static Product fromProperties(Map<String, ?> properties) {
    Objects.requireNonNull(properties, "properties");
    for (String k : properties.keySet()) {
      if (!PROPERTY_KEYS.contains(k)) {
        throw new InvalidEventException("/" + pointerKey(k), "is not a catalog field (one of "
            + new java.util.TreeSet<>(PROPERTY_KEYS) + "); put the host's own "
            + "attributes under attributes");
      }
    }
    Object rawSku = properties.get("sku");
    String skuKey = "sku";
    if (rawSku == null) {
      rawSku = properties.get("product_id");
      skuKey = "product_id";
    }
    if (rawSku == null) {
      throw new InvalidEventException("/sku", "is missing (give sku or product_id)");
    }
    Builder b;
    try {
      b = builder(idText(rawSku, "/" + skuKey));
    } catch (IllegalArgumentException ex) {
      throw new InvalidEventException("/" + skuKey, ex.getMessage());
    }
    b.name = text(properties.get("name"), "/name");
    b.category = text(properties.get("category"), "/category");
    b.type = text(properties.get("type"), "/type");
    b.brand = text(properties.get("brand"), "/brand");
    b.group = text(properties.get("group"), "/group");
    Object price = properties.get("price");
    Object currency = properties.get("currency");
    if (price != null) {
      if (!(currency instanceof String c)) {
        throw new InvalidEventException("/currency",
            currency == null ? "is missing (a price needs its currency)" : "must be a string");
      }
      b.price = money(price, c.strip().toUpperCase(java.util.Locale.ROOT));
    } else if (currency != null) {
      throw new InvalidEventException("/price", "is missing (a currency was given without it)");
    }
    Object stock = properties.get("stock");
    if (stock != null) {
      BigDecimal d = stock instanceof Number n ? decimal(n) : null;
      if (d == null || d.signum() < 0 || d.stripTrailingZeros().scale() > 0
          || d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new InvalidEventException("/stock", "must be a whole number of 0 or more");
      }
      b.stock = d.longValueExact();
    }
    Object created = properties.get("created_at");
    if (created != null) {
      b.createdAt = instant(created, "/created_at");
    }
    Object attrs = properties.get("attributes");
    if (attrs != null) {
      if (!(attrs instanceof Map<?, ?> m)) {
        throw new InvalidEventException("/attributes", "must be an object");
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        String ptr = "/attributes/" + pointerKey(k);
        try {
          b.attribute(k, e.getValue() instanceof Number n && !(n instanceof Long)
              ? decimal(n) : e.getValue());
        } catch (IllegalArgumentException | NullPointerException ex) {
          throw new InvalidEventException(ptr, ex.getMessage() == null ? "must not be null"
              : ex.getMessage());
        }
      }
    }
    return b.build();
  }

  /** The product as the properties {@link #fromProperties} reads: its stored form. */
  public Map<String, Object> toProperties() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sku", sku);
    putIf(m, "name", name);
    putIf(m, "category", category);
    putIf(m, "type", type);
    putIf(m, "brand", brand);
    putIf(m, "group", group);
    if (price != null) {
      m.put("price", price.toBigDecimal());
      m.put("currency", price.currency());
    }
    putIf(m, "stock", stock);
    if (createdAt != null) {
      m.put("created_at", createdAt.toString());
    }
    if (!attributes.isEmpty()) {
      m.put("attributes", attributes);
    }
    return m;
  }

  private static String pointerKey(String k) {
    return k.replace("~", "~0").replace("/", "~1");
  }

  private static String idText(Object raw, String ptr) {
    if (raw instanceof String s) {
      return s;
    }
    if (raw instanceof Number n) {
      BigDecimal d = decimal(n);
      if (d != null && d.stripTrailingZeros().scale() <= 0) {
        return d.toBigInteger().toString();
      }
    }
    throw new InvalidEventException(ptr, "must be a string or a whole number");
  }

  private static @Nullable String text(@Nullable Object v, String ptr) {
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new InvalidEventException(ptr, "must be a string");
    }
    try {
      return checkText(s, ptr.substring(1));
    } catch (IllegalArgumentException ex) {
      throw new InvalidEventException(ptr, ex.getMessage());
    }
  }

  private static @Nullable BigDecimal decimal(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    double x = n.doubleValue();
    return Double.isFinite(x) ? new BigDecimal(Double.toString(x)) : null;
  }

  private static Money money(Object price, String currency) {
    int digits;
    try {
      digits = Money.fractionDigits(currency);
    } catch (IllegalArgumentException ex) {
      throw new InvalidEventException("/currency", "is not an ISO 4217 currency code");
    }
    BigDecimal d = price instanceof Number n ? decimal(n) : null;
    if (d == null || d.signum() < 0) {
      throw new InvalidEventException("/price", "must be a number of 0 or more");
    }
    if (d.stripTrailingZeros().scale() > digits) {
      throw new InvalidEventException("/price", "has more decimals than " + currency + "'s "
          + digits);
    }
    BigDecimal minor = d.movePointRight(digits);
    if (minor.compareTo(BigDecimal.valueOf(Money.MAX_AMOUNT_MINOR_UNITS)) > 0) {
      throw new InvalidEventException("/price", "is larger than "
          + Money.MAX_AMOUNT_MINOR_UNITS + " minor units");
    }
    return Money.of(minor.longValueExact(), currency);
  }

  private static Instant instant(Object v, String ptr) {
    Instant i = io.cdpkit.core.traits.Values.instant(v);
    if (i == null) {
      throw new InvalidEventException(ptr,
          "must be an ISO-8601 instant (2026-03-01T09:00:00Z) or date (2026-03-01)");
    }
    return i;
  }

  private static String checkText(String s, String what) {
    String t = s.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException(what + " is blank");
    }
    if (t.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_TEXT_LENGTH
          + " characters");
    }
    String problem = Text.nameProblem(t);
    if (problem != null) {
      throw new IllegalArgumentException(what + " " + problem);
    }
    return t;
  }

  /** The key: stripped, case kept. */
  public String sku() {
    return sku;
  }

  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  public Optional<String> category() {
    return Optional.ofNullable(category);
  }

  public Optional<String> type() {
    return Optional.ofNullable(type);
  }

  public Optional<String> brand() {
    return Optional.ofNullable(brand);
  }

  /** The product this one is a variant of (the same shirt in another size), if said. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  public Optional<Money> price() {
    return Optional.ofNullable(price);
  }

  /** Units in stock; empty when the catalog does not track it. */
  public Optional<Long> stock() {
    return Optional.ofNullable(stock);
  }

  /** Whether it can be sold: {@code true} unless its stock is known to be 0. */
  public boolean available() {
    return stock == null || stock > 0;
  }

  /** When it was added to the range: what "new products" are measured by. */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /** The host's own attributes, by name, sorted. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** What a property path reads after {@code $catalog} (see the class description). */
  public Map<String, Object> fields() {
    return fields;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Product p && p.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  /** The sku and fields; a product holds no personal data. */
  @Override
  public String toString() {
    return "Product" + fields;
  }

  /** Builds a {@link Product}; each setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private final String sku;
    private @Nullable String name;
    private @Nullable String category;
    private @Nullable String type;
    private @Nullable String brand;
    private @Nullable String group;
    private @Nullable Money price;
    private @Nullable Long stock;
    private @Nullable Instant createdAt;
    private final Map<String, Object> attributes = new TreeMap<>();

    private Builder(String sku) {
      Objects.requireNonNull(sku, "sku");
      String t = sku.strip();
      if (t.isEmpty() || t.length() > MAX_SKU_LENGTH) {
        throw new IllegalArgumentException("sku must be 1 to " + MAX_SKU_LENGTH
            + " characters");
      }
      String problem = Text.nameProblem(t);
      if (problem != null) {
        throw new IllegalArgumentException("sku " + problem);
      }
      this.sku = t;
    }

    public Builder name(String name) {
      this.name = checkText(Objects.requireNonNull(name, "name"), "name");
      return this;
    }

    public Builder category(String category) {
      this.category = checkText(Objects.requireNonNull(category, "category"), "category");
      return this;
    }

    public Builder type(String type) {
      this.type = checkText(Objects.requireNonNull(type, "type"), "type");
      return this;
    }

    public Builder brand(String brand) {
      this.brand = checkText(Objects.requireNonNull(brand, "brand"), "brand");
      return this;
    }

    public Builder group(String group) {
      this.group = checkText(Objects.requireNonNull(group, "group"), "group");
      return this;
    }

    /**
     * The price.
     *
     * @throws IllegalArgumentException when it is negative or above
     *     {@link Money#MAX_AMOUNT_MINOR_UNITS}
     */
    public Builder price(Money price) {
      Objects.requireNonNull(price, "price");
      if (price.minorUnits() < 0 || price.minorUnits() > Money.MAX_AMOUNT_MINOR_UNITS) {
        throw new IllegalArgumentException("price must be 0 to " + Money.MAX_AMOUNT_MINOR_UNITS
            + " minor units, was " + price.minorUnits());
      }
      this.price = price;
      return this;
    }

    /**
     * Units in stock.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder stock(long stock) {
      if (stock < 0) {
        throw new IllegalArgumentException("stock must be 0 or more, was " + stock);
      }
      this.stock = stock;
      return this;
    }

    public Builder createdAt(Instant createdAt) {
      this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
      return this;
    }

    /**
     * An attribute of the host's own.
     *
     * @param value a string (stripped; see the class limits), a boolean, or a number
     * @throws IllegalArgumentException when the name or value breaks a limit, or there are
     *     already {@value #MAX_ATTRIBUTES}
     */
    public Builder attribute(String attribute, Object value) {
      Objects.requireNonNull(attribute, "attribute");
      Objects.requireNonNull(value, "value");
      if (attribute.isEmpty() || attribute.length() > MAX_ATTRIBUTE_NAME_LENGTH
          || attribute.startsWith("$")
          || attribute.indexOf('.') >= 0 || attribute.indexOf('[') >= 0
          || attribute.indexOf(']') >= 0 || FIELDS.contains(attribute)
          || Text.nameProblem(attribute) != null) {
        throw new IllegalArgumentException("attribute name must be 1 to "
            + MAX_ATTRIBUTE_NAME_LENGTH + " characters without "
            + ". [ ], not start with $ and not be one of " + FIELDS);
      }
      Object v;
      if (value instanceof String s) {
        v = checkText(s, "attribute");
      } else if (value instanceof Boolean) {
        v = value;
      } else if (value instanceof Number n && decimal(n) != null) {
        v = io.cdpkit.core.traits.Values.canonical(decimal(n));
      } else {
        throw new IllegalArgumentException("must be a string, a number or a boolean");
      }
      if (!attributes.containsKey(attribute) && attributes.size() >= MAX_ATTRIBUTES) {
        throw new IllegalArgumentException("a product has at most " + MAX_ATTRIBUTES
            + " attributes");
      }
      attributes.put(attribute, v);
      return this;
    }

    public Product build() {
      return new Product(this);
    }
  }
}
