package io.cdpkit.examples;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The UCI "Online Retail" data set (a UK online retailer, December 2010 to December 2011; Chen,
 * Sain and Guo 2012, CC BY 4.0) as the events its shop would send, for benchmarks on real data.
 *
 * <h2>The mapping</h2>
 * Rows without a {@code CustomerID} are left out. Rows are grouped by {@code InvoiceNo}; an
 * invoice's time is its earliest {@code InvoiceDate} ({@code 2010-12-01 08:26:00}, taken as UTC).
 * <ul>
 *   <li>An invoice not starting with {@code C} becomes one {@code track "Order Completed"} with
 *       {@code order_id} (the invoice number), {@code total} (the sum of quantity times unit price,
 *       exact, as a {@link BigDecimal}), {@code currency GBP} and {@code products}: one entry per
 *       row with {@code product_id} ({@code StockCode}), {@code name} ({@code Description}, left
 *       out when empty), {@code quantity} and {@code price} ({@code UnitPrice}).
 *   <li>An invoice starting with {@code C} (a cancellation) becomes one
 *       {@code track "Order Refunded"} with the same properties except the currency; its rows'
 *       negative quantities are given as the positive quantity refunded, so the {@code total} is
 *       the positive amount refunded. The data set does not link a cancellation to the invoice it
 *       reverses, so {@code order_id} is the cancellation's own number.
 *   <li>Each customer gets one {@code identify} with the trait {@code country}, just before its
 *       first invoice (in time order), at that invoice's time.
 * </ul>
 * The userId is {@code c} and the customer number ({@code 17850.0} gives {@code c17850}).
 * messageIds are derived from the invoice number ({@code uci-o-536365}, {@code uci-r-C536379})
 * or the customer ({@code uci-i-17850}), so loading the file again replays the same messages.
 * Events come in time order; invoices of the same minute in file order.
 *
 * <p>Shared by the examples ({@link Recommendations}) and the benchmarks of {@code cdp-benchmarks}
 * that run on this file, so the mapping lives in one place. Not instantiable; the events are
 * immutable.
 */
public final class OnlineRetailEvents {
  /** The track name of a completed invoice. */
  public static final String ORDER = "Order Completed";
  /** The track name of a cancellation. */
  public static final String REFUND = "Order Refunded";
  /** The name {@link io.cdpkit.core.Profiles#eventCounts()} counts identifies under. */
  public static final String IDENTIFY = "identify";

  /** The data file relative to the repository root; the system property overrides it. */
  public static final String DEFAULT_FILE = "../shared/data/online-retail/online_retail.csv.gz";
  /** System property naming another path of the data file. */
  public static final String FILE_PROPERTY = "cdp.bench.onlineRetail";

  private static final List<String> HEADER = List.of("InvoiceNo", "StockCode", "Description",
      "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private OnlineRetailEvents() {}

  /** The data file: the system property {@value #FILE_PROPERTY}, else {@value #DEFAULT_FILE}. */
  public static Path file() {
    return Path.of(System.getProperty(FILE_PROPERTY, DEFAULT_FILE));
  }

  /**
   * The events of the data file, in time order.
   *
   * @throws IllegalStateException when the file is missing, or a row cannot be read (naming the
   *     line, the column and the reason)
   */
  public static List<Event> load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("the Online Retail data file " + file.toAbsolutePath()
          + " is missing: run from the repository root (it reads " + DEFAULT_FILE
          + ") or name the gzipped CSV with -D" + FILE_PROPERTY + "=PATH");
    }
    Map<String, Invoice> invoices = new LinkedHashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
      String header = in.readLine();
      if (header == null || !split(strip(header), 1).equals(HEADER)) {
        throw new IllegalStateException(file + " line 1: expected the header " + HEADER);
      }
      String line;
      int lineNo = 1;
      while ((line = in.readLine()) != null) {
        lineNo++;
        List<String> f = split(line, lineNo);
        if (f.size() != HEADER.size()) {
          throw bad(lineNo, "row", "has " + f.size() + " columns, expected " + HEADER.size());
        }
        if (f.get(6).isEmpty()) {
          continue;
        }
        String customer = customer(f.get(6), lineNo);
        String number = f.get(0);
        if (number.isEmpty()) {
          throw bad(lineNo, "InvoiceNo", "is empty");
        }
        Invoice inv = invoices.computeIfAbsent(number,
            k -> new Invoice(k, customer, f.get(7), invoices.size()));
        if (!inv.customer.equals(customer)) {
          throw bad(lineNo, "CustomerID", "differs from the invoice's earlier rows");
        }
        Instant at = time(f.get(4), lineNo);
        if (inv.time == null || at.isBefore(inv.time)) {
          inv.time = at;
        }
        long quantity = quantity(f.get(3), lineNo);
        if (inv.cancelled() ? quantity >= 0 : quantity <= 0) {
          throw bad(lineNo, "Quantity", inv.cancelled()
              ? "must be negative in a cancellation" : "must be positive in an invoice");
        }
        BigDecimal price = price(f.get(5), lineNo);
        Map<String, @Nullable Object> product = new LinkedHashMap<>();
        product.put("product_id", f.get(1));
        if (!f.get(2).isBlank()) {
          product.put("name", f.get(2));
        }
        product.put("quantity", Math.abs(quantity));
        product.put("price", price);
        inv.products.add(product);
        inv.total = inv.total.add(price.multiply(BigDecimal.valueOf(Math.abs(quantity))));
      }
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("the Online Retail data file " + file + " is missing", e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Invoice> sorted = new ArrayList<>(invoices.values());
    sorted.sort(Comparator.comparing((Invoice i) -> i.time).thenComparingInt(i -> i.seq));
    List<Event> out = new ArrayList<>(sorted.size() * 6 / 5);
    Set<String> seen = new HashSet<>();
    for (Invoice inv : sorted) {
      if (seen.add(inv.customer)) {
        out.add(Event.identify()
            .messageId("uci-i-" + inv.customer)
            .userId("c" + inv.customer)
            .trait("country", inv.country)
            .timestamp(inv.time)
            .build());
      }
      Event.Builder b = Event.track(inv.cancelled() ? REFUND : ORDER)
          .messageId((inv.cancelled() ? "uci-r-" : "uci-o-") + inv.number)
          .userId("c" + inv.customer)
          .timestamp(inv.time)
          .property("order_id", inv.number)
          .property("total", inv.total);
      if (!inv.cancelled()) {
        b.property("currency", "GBP");
      }
      out.add(b.property("products", inv.products).build());
    }
    return out;
  }

  /** How many events there are per name, as {@link io.cdpkit.core.Profiles#eventCounts()}. */
  public static Map<String, Long> countByName(List<Event> events) {
    Map<String, Long> counts = new TreeMap<>();
    for (Event e : events) {
      String name = e.type() == EventType.TRACK ? e.name() : IDENTIFY;
      if (e.type() != EventType.TRACK && e.type() != EventType.IDENTIFY) {
        throw new IllegalArgumentException("event type " + e.type() + " is not in the mapping");
      }
      counts.merge(name, 1L, Long::sum);
    }
    return counts;
  }

  /** One invoice being read. */
  private static final class Invoice {
    final String number;
    final String customer;
    final String country;
    final int seq;
    final List<Map<String, @Nullable Object>> products = new ArrayList<>();
    BigDecimal total = BigDecimal.ZERO;
    @Nullable Instant time;

    Invoice(String number, String customer, String country, int seq) {
      this.number = number;
      this.customer = customer;
      this.country = country;
      this.seq = seq;
    }

    boolean cancelled() {
      return number.startsWith("C");
    }
  }

  /** {@code 17850.0} gives {@code 17850}. */
  private static String customer(String s, int lineNo) {
    String digits = s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
      throw bad(lineNo, "CustomerID", "is not a whole customer number");
    }
    return digits;
  }

  private static Instant time(String s, int lineNo) {
    try {
      return LocalDateTime.parse(s, DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw bad(lineNo, "InvoiceDate", "is not a date like 2010-12-01 08:26:00");
    }
  }

  private static long quantity(String s, int lineNo) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw bad(lineNo, "Quantity", "is not a whole number");
    }
  }

  private static BigDecimal price(String s, int lineNo) {
    try {
      BigDecimal p = new BigDecimal(s);
      if (p.signum() < 0) {
        throw bad(lineNo, "UnitPrice", "is negative");
      }
      return p;
    } catch (NumberFormatException e) {
      throw bad(lineNo, "UnitPrice", "is not a number");
    }
  }

  private static IllegalStateException bad(int lineNo, String column, String reason) {
    return new IllegalStateException("Online Retail line " + lineNo + ": " + column + " " + reason);
  }

  private static String strip(String header) {
    return header.startsWith("\uFEFF") ? header.substring(1) : header;
  }

  /** One CSV record (RFC 4180 quoting; the file has no line breaks inside fields). */
  static List<String> split(String line, int lineNo) {
    List<String> out = new ArrayList<>(8);
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw bad(lineNo, "row", "has an unterminated quoted field");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        if (i < n && line.charAt(i) != ',') {
          throw bad(lineNo, "row", "has text after a closing quote");
        }
      } else {
        while (i < n && line.charAt(i) != ',') {
          field.append(line.charAt(i++));
        }
      }
      out.add(field.toString());
      field.setLength(0);
      if (i >= n) {
        return out;
      }
      i++; // the comma
    }
  }
}
