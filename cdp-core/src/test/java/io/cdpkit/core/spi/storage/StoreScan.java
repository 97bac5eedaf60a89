package io.cdpkit.core.spi.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.internal.json.RecordJson;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Dumps, as text, everything a store holds for a workspace that its SPI reads can reach: every
 * live profile with its nodes, component, links, rules, events, redirects and ledger; what the
 * modules on the class path keep of each profile (memberships, scheduled check, outbox entries,
 * delivery history: what each {@link io.cdpkit.core.spi.extension.PersonalRecords} exports);
 * all metadata and the audit log (when the store has those capabilities); the event counts. The
 * SPI has no scan of all events, nodes or deleted profiles, so the caller adds probes:
 * identifiers, message ids and profile ids to look up directly (those of an erased person,
 * say).
 *
 * <p>Identifiers are written in full ({@code type=value}), unlike their {@code toString()},
 * so that a search of the text finds personal data. For tests of any store (the JDBC module
 * uses it too). Not thread-safe; stateless.
 */
public final class StoreScan {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<PersonalRecords> RECORDS = new ArrayList<>();

  static {
    ServiceLoader.load(PersonalRecords.class, PersonalRecords.class.getClassLoader())
        .forEach(RECORDS::add);
  }

  private StoreScan() {}

  /** Things to look up beyond what a scan of live profiles reaches. */
  public record Probes(Collection<Identifier> identifiers, Collection<String> messageIds,
      Collection<ProfileId> profiles) {
    public static final Probes NONE = new Probes(List.of(), List.of(), List.of());

    public Probes {
      identifiers = List.copyOf(identifiers);
      messageIds = List.copyOf(messageIds);
      profiles = List.copyOf(profiles);
    }
  }

  /** Everything reachable, one item per line. */
  public static String dump(Store store, WorkspaceId ws, Probes probes) {
    return store.read(ws, tx -> dump(tx, probes));
  }

  /** As {@link #dump(Store, WorkspaceId, Probes)} inside a transaction. */
  public static String dump(ReadTransaction tx, Probes probes) {
    RecordJson json = new RecordJson();
    StringBuilder out = new StringBuilder();
    Set<ProfileId> profiles = new LinkedHashSet<>(probes.profiles());
    Set<String> components = new TreeSet<>();
    Set<Identifier> identifiers = new LinkedHashSet<>(probes.identifiers());
    ProfileId after = null;
    while (true) {
      List<ProfileRecord> page = tx.profilesAfter(after, 100);
      if (page.isEmpty()) {
        break;
      }
      for (ProfileRecord r : page) {
        profiles.add(r.id());
        after = r.id();
      }
    }
    // Profiles merged into the live ones.
    ArrayDeque<ProfileId> todo = new ArrayDeque<>(profiles);
    while (!todo.isEmpty()) {
      for (ProfileId m : tx.redirectsTo(todo.poll())) {
        if (profiles.add(m)) {
          todo.add(m);
        }
      }
    }
    for (ProfileId p : profiles) {
      tx.profile(p).ifPresent(r -> line(out, "profile", json.writeProfile(r)));
      tx.redirect(p).ifPresent(to -> line(out, "redirect", p.value() + " -> " + to.value()));
      for (IdentityNode n : tx.nodesOfProfile(p)) {
        identifiers.add(n.identifier());
        components.add(n.component());
      }
      for (LedgerEntry e : tx.ledger(p)) {
        line(out, "ledger", json.writeLedger(e));
      }
      for (PersonalRecords r : RECORDS) {
        ObjectNode records = JSON.createObjectNode();
        r.export(tx, Set.of(p), records);
        records.fields().forEachRemaining(f -> line(out, "records",
            p.value() + " " + f.getKey() + "=" + f.getValue()));
      }
    }
    for (Identifier i : identifiers) {
      tx.node(i).ifPresent(n -> {
        components.add(n.component());
        line(out, "node", id(n.identifier()) + " profile=" + n.profile().value()
            + " component=" + n.component());
      });
    }
    for (String c : components) {
      tx.component(c).ifPresent(r -> line(out, "component", json.writeComponent(r)));
      for (IdentityNode n : tx.nodesOfComponent(c)) {
        identifiers.add(n.identifier());
        line(out, "member", c + " " + id(n.identifier()));
      }
      for (Link l : tx.links(c)) {
        line(out, "link", json.writeLink(l));
      }
    }
    Set<String> events = new TreeSet<>(probes.messageIds());
    for (StoredEvent e : tx.eventsByAnchors(identifiers)) {
      events.add(e.messageId());
    }
    for (String m : events) {
      tx.event(m).ifPresent(e -> line(out, "event", json.writeEvent(e)));
    }
    tx.capability(MetadataStorage.class).ifPresent(m -> {
      for (Map.Entry<String, String> e : m.metadata("").entrySet()) {
        line(out, "metadata", e.getKey() + "=" + e.getValue());
      }
    });
    tx.capability(PrivacyStorage.class).ifPresent(privacy -> {
      long seq = 0;
      while (true) {
        List<AuditEntry> page = privacy.audit(seq, 100);
        for (AuditEntry a : page) {
          line(out, "audit", a.toString());
          seq = a.seq();
        }
        if (page.size() < 100) {
          break;
        }
      }
    });
    line(out, "counts", tx.eventNameCounts().toString());
    return out.toString();
  }

  private static String id(Identifier i) {
    return i.type().id() + "=" + i.value();
  }

  private static void line(StringBuilder out, String kind, String text) {
    out.append(kind).append(' ').append(text).append('\n');
  }
}
