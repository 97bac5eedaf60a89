/**
 * Implementation of the JDBC store: dialects, migrations, transactions.
 *
 * <p>This package carries no compatibility promise: anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.storage.jdbc.internal;

import org.jspecify.annotations.NullMarked;
