/**
 * The JDBC store: H2 (embedded default), PostgreSQL and MariaDB/MySQL behind the storage SPI;
 * start with {@link io.cdpkit.storage.jdbc.JdbcStore}.
 */
@NullMarked
package io.cdpkit.storage.jdbc;

import org.jspecify.annotations.NullMarked;
