package io.cdpkit.core.dedup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * Records kept by id and by blocking key, so that one new or changed record is compared with
 * the records it shares a block with as it arrives, under a model learned before (by
 * {@link DuplicateDetector#detect}, or read with {@link MatchModelJson}). Made by
 * {@link DuplicateDetector#index}, with that detector's fields, blocking rules, largest block
 * and auto-link threshold.
 *
 * <pre>{@code
 * MatchIndex index = detector.index(model);
 * existing.forEach(index::put);
 * // on ingest of a new or changed profile:
 * MatchIndex.Check check = index.check(record);
 * for (CandidatePair pair : check.links()) { ... }
 * index.put(record);
 * }</pre>
 *
 * <p>A pair is scored exactly as {@link DuplicateDetector#detect} and
 * {@link DuplicateDetector#score} score it over the same records with the same model (the
 * same code does it): the same levels, weights and term-frequency adjustments, the latter from
 * the counts of the values in the index, which {@link #put} and {@link #remove} keep up to
 * date. {@link #check} counts as if the record checked were put (in place of the record with
 * its id, if any), so checking a record and then putting it gives the scores that
 * {@link #score} gives afterwards. The first record of a pair is the one put into the index
 * first (a record checked before it is put comes after every record in the index, or takes
 * the place of the record it replaces), as a batch run puts the one that comes first in its
 * input first: the two orders differ only for names compared crosswise.
 *
 * <p>Limits: a block of more records than the detector's largest block (the record checked
 * included) is skipped, as in a batch run, and counted in {@link Check#skippedBlocks()}. The
 * model is fixed: the index learns nothing, so m, u and the prior stay those of the run that
 * learned them however the records change; learn again now and then and make a new index. The
 * records are held in memory: each as put, with its normalised values, sounds and keys (about
 * 1.5 KB a record beyond the records themselves, measured for the standard fields).
 *
 * <p>Thread-safe: {@link #check}, {@link #candidates}, {@link #score}, {@link #get} and
 * {@link #size} run concurrently with each other under a read lock; {@link #put} and
 * {@link #remove} take the write lock and wait for the reads to finish. Values are normalised
 * before the lock is taken. Each thread that uses the index keeps a comparison buffer of about
 * 256 KiB while the index lives.
 */
public final class MatchIndex {
  private final PairScoring scoring;
  private final MatchModel model;
  private final List<BlockingRule> rules;
  private final int[][] ruleFields;
  private final int maxBlockSize;
  private final double linkThreshold;
  private final int f;
  /** Not thread-safe, so one per thread. */
  private final ThreadLocal<Comparisons> comparisons = ThreadLocal.withInitial(Comparisons::new);

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  // Guarded by lock: the entries by id, the blocks, the value counts, the sequence.
  private final Map<String, Entry> byId = new HashMap<>();
  /** blocks.get(rule): the entries by their key under the rule. */
  private final List<Map<String, List<Entry>>> blocks = new ArrayList<>();
  /** counts[field]: entries per normalised value, for fields with term frequency; else null. */
  private final @Nullable Map<String, Integer>[] counts;
  /** present[field]: entries with a value for the field. */
  private final int[] present;
  private long nextSequence;

  /** A record in the index, with its keys per rule (null where it has none). */
  private static final class Entry {
    final MatchRecord source;
    final PairScoring.Prepared record;
    final @Nullable String[] keys;
    /** When the id was first put: orders the pair. */
    final long sequence;

    Entry(MatchRecord source, PairScoring.Prepared record, @Nullable String[] keys,
        long sequence) {
      this.source = source;
      this.record = record;
      this.keys = keys;
      this.sequence = sequence;
    }
  }

  /**
   * The pairs one record forms with the records of its blocks, and how many of its blocks were
   * too large to compare.
   *
   * <p>Immutable.
   *
   * @param pairs every pair, each once, most probable first (ties by the first id, then the
   *     second)
   * @param skippedBlocks the record's blocks left out for holding more records than the
   *     detector's largest block, the record included
   * @param linkThreshold the detector's auto-link threshold
   */
  public record Check(List<CandidatePair> pairs, int skippedBlocks, double linkThreshold) {
    /** Copies. */
    public Check {
      pairs = List.copyOf(pairs);
    }

    /** The pairs at or above the auto-link threshold, most probable first. */
    public List<CandidatePair> links() {
      return pairs.stream().filter(p -> p.probability() >= linkThreshold).toList();
    }
  }

  @SuppressWarnings("unchecked")
  MatchIndex(List<MatchField> fields, List<BlockingRule> rules, int maxBlockSize,
      double linkThreshold, MatchModel model) {
    this.scoring = new PairScoring(fields, rules);
    scoring.requireFits(model);
    this.model = model;
    this.rules = List.copyOf(rules);
    this.ruleFields = new int[rules.size()][];
    for (int r = 0; r < rules.size(); r++) {
      ruleFields[r] = scoring.indexes(rules.get(r));
      blocks.add(new HashMap<>());
    }
    this.maxBlockSize = maxBlockSize;
    this.linkThreshold = linkThreshold;
    this.f = fields.size();
    this.counts = new Map[f];
    for (int i = 0; i < f; i++) {
      counts[i] = fields.get(i).termFrequency() ? new HashMap<>() : null;
    }
    this.present = new int[f];
  }

  /** The model pairs are scored with. */
  public MatchModel model() {
    return model;
  }

  /** The detector's auto-link threshold. */
  public double linkThreshold() {
    return linkThreshold;
  }

  /**
   * Adds the record, or replaces the one with its id: its blocks and the value counts change
   * with it. A replaced record keeps its place in the order of pairs.
   */
  public void put(MatchRecord record) {
    Objects.requireNonNull(record, "record");
    PairScoring.Prepared prepared = scoring.prepare(record, comparisons.get());
    String[] keys = keys(prepared);
    lock.writeLock().lock();
    try {
      Entry old = byId.get(record.id());
      if (old != null) {
        unindex(old);
      }
      Entry entry = new Entry(record, prepared, keys,
          old != null ? old.sequence : nextSequence++);
      byId.put(record.id(), entry);
      for (int r = 0; r < keys.length; r++) {
        if (keys[r] != null) {
          blocks.get(r).computeIfAbsent(keys[r], k -> new ArrayList<>(2)).add(entry);
        }
      }
      for (int i = 0; i < f; i++) {
        String v = prepared.values[i];
        if (v != null) {
          present[i]++;
          Map<String, Integer> c = counts[i];
          if (c != null) {
            c.merge(v, 1, Integer::sum);
          }
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Removes the record with this id, from its blocks and the value counts.
   *
   * @return whether there was one
   */
  public boolean remove(String id) {
    Objects.requireNonNull(id, "id");
    lock.writeLock().lock();
    try {
      Entry old = byId.remove(id);
      if (old == null) {
        return false;
      }
      unindex(old);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Takes the entry out of its blocks and the counts; the caller holds the write lock. */
  private void unindex(Entry old) {
    for (int r = 0; r < old.keys.length; r++) {
      String key = old.keys[r];
      if (key != null) {
        Map<String, List<Entry>> rule = blocks.get(r);
        List<Entry> block = rule.get(key);
        block.remove(old);
        if (block.isEmpty()) {
          rule.remove(key);
        }
      }
    }
    for (int i = 0; i < f; i++) {
      String v = old.record.values[i];
      if (v != null) {
        present[i]--;
        Map<String, Integer> c = counts[i];
        if (c != null) {
          c.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1);
        }
      }
    }
  }

  /** The number of records held. */
  public int size() {
    lock.readLock().lock();
    try {
      return byId.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The record with this id, as put. */
  public Optional<MatchRecord> get(String id) {
    lock.readLock().lock();
    try {
      Entry e = byId.get(id);
      return e == null ? Optional.empty() : Optional.of(e.source);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The pairs of {@link #check}, without the count of skipped blocks. */
  public List<CandidatePair> candidates(MatchRecord record) {
    return check(record).pairs();
  }

  /**
   * Scores the record against every record of the index that shares at least one blocking key
   * with it, each pair once; the record need not be in the index, and the entry with its id,
   * if any, is left out. Term frequencies count as if the record were put. Changes nothing.
   */
  public Check check(MatchRecord record) {
    Objects.requireNonNull(record, "record");
    Comparisons c = comparisons.get();
    PairScoring.Prepared newcomer = scoring.prepare(record, c);
    String[] keys = keys(newcomer);
    List<CandidatePair> pairs = new ArrayList<>();
    int skipped = 0;
    lock.readLock().lock();
    try {
      Entry old = byId.get(record.id());
      long sequence = old != null ? old.sequence : Long.MAX_VALUE;
      PairScoring.TermFrequency tf = (field, value) -> frequency(field, value, newcomer, old);
      Set<Entry> seen = new HashSet<>();
      for (int r = 0; r < keys.length; r++) {
        String key = keys[r];
        if (key == null) {
          continue;
        }
        List<Entry> block = blocks.get(r).get(key);
        if (block == null) {
          continue;
        }
        boolean holdsOld = old != null && key.equals(old.keys[r]);
        int size = block.size() - (holdsOld ? 1 : 0) + 1;
        if (size < 2) {
          continue;
        }
        if (size > maxBlockSize) {
          skipped++;
          continue;
        }
        for (Entry e : block) {
          if (e != old && seen.add(e)) {
            pairs.add(e.sequence < sequence ? pair(e.record, newcomer, tf, c)
                : pair(newcomer, e.record, tf, c));
          }
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    pairs.sort(PairScoring.ORDER);
    return new Check(pairs, skipped, linkThreshold);
  }

  /**
   * Scores two records of the index against each other, whether or not they share a block;
   * the one put first comes first.
   *
   * @return empty when either id is not in the index
   * @throws IllegalArgumentException when the ids are equal
   */
  public Optional<CandidatePair> score(String idA, String idB) {
    if (idA.equals(idB)) {
      throw new IllegalArgumentException("ids must differ to make a pair");
    }
    lock.readLock().lock();
    try {
      Entry a = byId.get(idA);
      Entry b = byId.get(idB);
      if (a == null || b == null) {
        return Optional.empty();
      }
      PairScoring.TermFrequency tf = (field, value) -> frequency(field, value, null, null);
      Comparisons c = comparisons.get();
      return Optional.of(a.sequence < b.sequence ? pair(a.record, b.record, tf, c)
          : pair(b.record, a.record, tf, c));
    } finally {
      lock.readLock().unlock();
    }
  }

  private CandidatePair pair(PairScoring.Prepared a, PairScoring.Prepared b,
      PairScoring.TermFrequency tf, Comparisons c) {
    return scoring.score(model, a, b, scoring.compare(a, b, c), tf);
  }

  /**
   * The share of the value among the present values of the field, counted with
   * {@code added} in place of {@code removed}; the caller holds a lock.
   */
  private double frequency(int field, String value, PairScoring.@Nullable Prepared added,
      @Nullable Entry removed) {
    Map<String, Integer> c = counts[field];
    int count = c == null ? 0 : c.getOrDefault(value, 0);
    int all = present[field];
    if (added != null && added.values[field] != null) {
      all++;
      if (value.equals(added.values[field])) {
        count++;
      }
    }
    if (removed != null && removed.record.values[field] != null) {
      all--;
      if (value.equals(removed.record.values[field])) {
        count--;
      }
    }
    return (double) count / all;
  }

  private @Nullable String[] keys(PairScoring.Prepared record) {
    @Nullable String[] keys = new String[rules.size()];
    for (int r = 0; r < keys.length; r++) {
      keys[r] = PairScoring.key(rules.get(r), ruleFields[r], record);
    }
    return keys;
  }
}
