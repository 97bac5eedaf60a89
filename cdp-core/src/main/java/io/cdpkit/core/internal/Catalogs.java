package io.cdpkit.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.CatalogChange;
import io.cdpkit.core.catalog.CatalogImport;
import io.cdpkit.core.catalog.Product;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.StoredEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The catalogs of a {@code Cdp}'s workspaces: stored as metadata ({@value #PRODUCT_KEY}
 * followed by the sku, the product's properties as JSON; {@value #VERSION_KEY}, a token that
 * changes with every write), held in memory per workspace as an immutable snapshot.
 *
 * <p>A snapshot is checked against the stored token when read and older than
 * {@link #REFRESH_MILLIS} by the {@code Cdp}'s clock, so a change another node makes is seen
 * within that interval. Writes on this node are
 * serialised per {@code Catalogs}; a write sees the snapshot it starts from and applies its
 * changes to it when the stored token is the snapshot's, and reloads the catalog otherwise.
 *
 * <p>Thread-safe.
 */
public final class Catalogs {
  static final String PRODUCT_KEY = "core.catalog.product.";
  static final String VERSION_KEY = "core.catalog.version";
  /** How old a snapshot may be before a read checks the stored token: 1 s. */
  static final long REFRESH_MILLIS = 1_000L;
  /** Products stored per transaction in a bulk import. */
  static final int IMPORT_PAGE = 1_000;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  /** One workspace's catalog as last read. */
  record Snapshot(String token, NavigableMap<String, Product> bySku, long checkedAt) {
    Snapshot checked(long now) {
      return new Snapshot(token, bySku, now);
    }
  }

  private final Pipeline pipeline;
  private final Map<WorkspaceId, Snapshot> snapshots = new ConcurrentHashMap<>();
  /** Serialises this node's catalog writes. */
  private final Object writeLock = new Object();

  public Catalogs(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** The catalog of a workspace. */
  public Catalog of(WorkspaceId ws) {
    return new WorkspaceCatalog(Objects.requireNonNull(ws, "ws"));
  }

  /**
   * The products of a workspace as the ingest path and recomputation join events with; empty
   * when the store keeps no metadata.
   */
  public NavigableMap<String, Product> products(WorkspaceId ws) {
    return snapshot(ws).bySku();
  }

  Snapshot snapshot(WorkspaceId ws) {
    long now = pipeline.config().clock().millis();
    Snapshot s = snapshots.get(ws);
    if (s != null && now >= s.checkedAt() && now - s.checkedAt() < REFRESH_MILLIS) {
      return s;
    }
    String token = storedToken(ws);
    if (s != null && s.token().equals(token)) {
      Snapshot c = s.checked(now);
      snapshots.put(ws, c);
      return c;
    }
    Snapshot loaded = load(ws, now);
    snapshots.put(ws, loaded);
    return loaded;
  }

  private String storedToken(WorkspaceId ws) {
    try {
      return pipeline.store().read(ws, tx -> tx.require(MetadataStorage.class)
          .metadata(VERSION_KEY).getOrDefault(VERSION_KEY, ""));
    } catch (UnsupportedOperationException noMetadata) {
      return "";
    }
  }

  private Snapshot load(WorkspaceId ws, long now) {
    Map<String, String> stored;
    try {
      stored = pipeline.store().read(ws, tx -> tx.require(MetadataStorage.class)
          .metadata("core.catalog."));
    } catch (UnsupportedOperationException noMetadata) {
      return new Snapshot("", Collections.emptyNavigableMap(), now);
    }
    TreeMap<String, Product> m = new TreeMap<>();
    for (Map.Entry<String, String> e : stored.entrySet()) {
      if (e.getKey().startsWith(PRODUCT_KEY)) {
        Product p = decode(e.getValue());
        m.put(p.sku(), p);
      }
    }
    return new Snapshot(stored.getOrDefault(VERSION_KEY, ""),
        Collections.unmodifiableNavigableMap(m), now);
  }

  static String encode(Product p) {
    try {
      return JSON.writeValueAsString(p.toProperties());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a product could not be written as JSON", e);
    }
  }

  @SuppressWarnings("unchecked")
  static Product decode(String json) {
    try {
      return Product.fromProperties(JSON.readValue(json, Map.class));
    } catch (JsonProcessingException | InvalidEventException e) {
      throw new IllegalStateException("a stored catalog product is unreadable: "
          + e.getMessage(), e);
    }
  }

  /**
   * Writes products ({@code null}: remove the sku) and, when a computed trait reads a catalog
   * field that changed, recomputes the workspace's profiles.
   */
  CatalogChange write(WorkspaceId ws, Map<String, @Nullable Product> changes, boolean recompute) {
    synchronized (writeLock) {
      Snapshot before = snapshot(ws);
      Map<String, @Nullable Product> changed = new LinkedHashMap<>();
      int added = 0;
      for (Map.Entry<String, @Nullable Product> c : changes.entrySet()) {
        Product old = before.bySku().get(c.getKey());
        if (!Objects.equals(old, c.getValue())) {
          changed.put(c.getKey(), c.getValue());
          if (old == null) {
            added++;
          } else if (c.getValue() == null) {
            added--;
          }
        }
      }
      if (changed.isEmpty()) {
        return new CatalogChange(0, 0);
      }
      if (before.bySku().size() + added > Catalog.MAX_PRODUCTS) {
        throw new IllegalArgumentException("a catalog holds at most " + Catalog.MAX_PRODUCTS
            + " products; this change would make it " + (before.bySku().size() + added));
      }
      String token = Long.toHexString(ThreadLocalRandom.current().nextLong())
          + Long.toHexString(System.nanoTime());
      String previous = pipeline.write(ws, steps -> {
        MetadataStorage md = steps.tx.require(MetadataStorage.class);
        String was = md.metadata(VERSION_KEY).getOrDefault(VERSION_KEY, "");
        for (Map.Entry<String, @Nullable Product> c : changed.entrySet()) {
          if (c.getValue() == null) {
            md.deleteMetadata(PRODUCT_KEY + c.getKey());
          } else {
            md.putMetadata(PRODUCT_KEY + c.getKey(), encode(c.getValue()));
          }
        }
        md.putMetadata(VERSION_KEY, token);
        return was;
      });
      long now = pipeline.config().clock().millis();
      Snapshot after;
      if (previous.equals(before.token())) {
        TreeMap<String, Product> m = new TreeMap<>(before.bySku());
        changed.forEach((sku, p) -> {
          if (p == null) {
            m.remove(sku);
          } else {
            m.put(sku, p);
          }
        });
        after = new Snapshot(token, Collections.unmodifiableNavigableMap(m), now);
      } else {
        after = load(ws, now);
      }
      snapshots.put(ws, after);
      long recomputed = 0;
      if (recompute && touchesTraits(before, changed, !previous.equals(before.token()))) {
        recomputed = recompute(ws);
      }
      return new CatalogChange(changed.size(), recomputed);
    }
  }

  /**
   * Whether a change alters a field some computed trait reads through {@code $catalog}, or adds
   * or removes a product (which decides what an object naming several skus is joined with).
   */
  private boolean touchesTraits(Snapshot before, Map<String, @Nullable Product> changed,
      boolean unknownBase) {
    Set<String> read = pipeline.traits().current().catalogFields();
    if (read.isEmpty()) {
      return false;
    }
    if (unknownBase) {
      return true;
    }
    for (Map.Entry<String, @Nullable Product> c : changed.entrySet()) {
      Product old = before.bySku().get(c.getKey());
      if ((old == null) != (c.getValue() == null)) {
        // A product that comes or goes changes which product an object naming several skus is
        // joined with (the first key the catalog holds), whatever fields it has.
        return true;
      }
      for (String f : read) {
        Object a = old == null ? null : old.fields().get(f);
        Object b = c.getValue() == null ? null : c.getValue().fields().get(f);
        if (!Objects.equals(a, b)) {
          return true;
        }
      }
    }
    return false;
  }

  private long recompute(WorkspaceId ws) {
    long[] done = {0};
    pipeline.recomputeAll(ws, n -> done[0] = n);
    return done[0];
  }

  /** A workspace's catalog. */
  private final class WorkspaceCatalog implements Catalog {
    private final WorkspaceId ws;

    WorkspaceCatalog(WorkspaceId ws) {
      this.ws = ws;
    }

    @Override
    public @Nullable Product get(String sku) {
      return snapshot(ws).bySku().get(Objects.requireNonNull(sku, "sku").strip());
    }

    @Override
    public Optional<Product> product(String sku) {
      return Optional.ofNullable(get(sku));
    }

    @Override
    public CatalogChange put(Product product) {
      return putAll(List.of(product));
    }

    @Override
    public CatalogChange putAll(Collection<Product> products) {
      Map<String, @Nullable Product> m = new LinkedHashMap<>();
      for (Product p : products) {
        m.put(Objects.requireNonNull(p, "product").sku(), p);
      }
      return write(ws, m, true);
    }

    @Override
    public CatalogChange remove(String sku) {
      Map<String, @Nullable Product> m = new LinkedHashMap<>();
      m.put(Objects.requireNonNull(sku, "sku").strip(), null);
      return write(ws, m, true);
    }

    @Override
    public CatalogChange apply(Event event) {
      Objects.requireNonNull(event, "event");
      String name = event.type() == EventType.TRACK ? StoredEvent.countedName(event) : "";
      if (name.equals(PRODUCT_UPDATED)) {
        Product p;
        try {
          p = Product.fromProperties(event.properties());
        } catch (InvalidEventException ex) {
          throw ex.under("/properties");
        }
        return put(p);
      }
      if (name.equals(PRODUCT_REMOVED)) {
        Object sku = event.properties().get("sku");
        if (sku == null) {
          sku = event.properties().get("product_id");
        }
        if (!(sku instanceof String s) || s.isBlank()) {
          throw new InvalidEventException("/properties/sku",
              "is missing or not a string (give sku or product_id)");
        }
        return remove(s);
      }
      throw new InvalidEventException("/event", "is not a catalog event (" + PRODUCT_UPDATED
          + " or " + PRODUCT_REMOVED + ")");
    }

    @Override
    public CatalogImport importJsonLines(Reader in) {
      BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
      List<CatalogImport.Rejection> rejected = new ArrayList<>();
      Map<String, @Nullable Product> page = new LinkedHashMap<>();
      long lines = 0;
      long stored = 0;
      int changed = 0;
      try {
        String line;
        long number = 0;
        while ((line = r.readLine()) != null) {
          number++;
          if (line.isBlank()) {
            continue;
          }
          lines++;
          Product p;
          try {
            Object v = JSON.readValue(line, Object.class);
            if (!(v instanceof Map<?, ?> m)) {
              rejected.add(new CatalogImport.Rejection(number, "", "is not a JSON object"));
              continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> props = (Map<String, ?>) m;
            p = Product.fromProperties(props);
          } catch (JsonProcessingException ex) {
            rejected.add(new CatalogImport.Rejection(number, "",
                "is not JSON: " + ex.getOriginalMessage()));
            continue;
          } catch (InvalidEventException ex) {
            rejected.add(new CatalogImport.Rejection(number, ex.pointer(), ex.reason()));
            continue;
          }
          page.put(p.sku(), p);
          stored++;
          if (page.size() >= IMPORT_PAGE) {
            changed += write(ws, page, false).changed();
            page = new LinkedHashMap<>();
          }
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      changed += write(ws, page, false).changed();
      long recomputed = changed > 0 && !pipeline.traits().current().catalogFields().isEmpty()
          ? recompute(ws) : 0;
      return new CatalogImport(lines, stored, new CatalogChange(changed, recomputed), rejected);
    }

    @Override
    public List<Product> list(@Nullable String afterSku, int limit) {
      checkLimit(limit);
      NavigableMap<String, Product> m = snapshot(ws).bySku();
      Collection<Product> from = afterSku == null ? m.values()
          : m.tailMap(afterSku, false).values();
      return from.stream().limit(limit).toList();
    }

    @Override
    public List<Product> newest(Instant since, int limit) {
      Objects.requireNonNull(since, "since");
      checkLimit(limit);
      return snapshot(ws).bySku().values().stream()
          .filter(p -> p.createdAt().map(t -> !t.isBefore(since)).orElse(false))
          .sorted(Comparator.comparing((Product p) -> p.createdAt().orElseThrow()).reversed()
              .thenComparing(Product::sku))
          .limit(limit).toList();
    }

    @Override
    public int size() {
      return snapshot(ws).bySku().size();
    }

    private static void checkLimit(int limit) {
      if (limit < 1 || limit > 10_000) {
        throw new IllegalArgumentException("limit must be 1 to 10000, was " + limit);
      }
    }
  }
}
