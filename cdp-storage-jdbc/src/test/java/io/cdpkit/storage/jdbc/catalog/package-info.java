/**
 * The product catalog on every store: its contract (values round-trip, restarts, workspaces,
 * nodes), the law that a profile's catalog traits depend on the final catalog and the events
 * only, never on the order they came in, and what a forged event cannot do.
 */
package io.cdpkit.storage.jdbc.catalog;
