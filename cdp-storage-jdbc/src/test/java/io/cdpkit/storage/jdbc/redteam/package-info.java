/**
 * The red-team suite: tests that attack the engine's promises (consent at hand-over, consent
 * per contact point, bounded client time, canonical text, exports of one person only, erasure
 * that leaves no bytes, per-event failure) on every store, rather than showing examples that
 * work.
 */
package io.cdpkit.storage.jdbc.redteam;
