/**
 * The JDBC store: H2, PostgreSQL and MariaDB/MySQL behind the storage SPI (not implemented yet).
 */
@NullMarked
package io.cdpkit.storage.jdbc;

import org.jspecify.annotations.NullMarked;
