/**
 * JMH benchmarks of CDPKit; each class's javadoc gives the command that runs it.
 */
@NullMarked
package io.cdpkit.benchmarks;

import org.jspecify.annotations.NullMarked;
