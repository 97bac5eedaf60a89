/**
 * The command-line tool ({@link io.cdpkit.examples.cli.CdpCli}): imports CSV and JSON-lines
 * files through a declarative mapping, exports and erases a person, lists and evaluates
 * segments, on an embedded H2 file store or a database named by a JDBC URL.
 */
@NullMarked
package io.cdpkit.examples.cli;

import org.jspecify.annotations.NullMarked;
