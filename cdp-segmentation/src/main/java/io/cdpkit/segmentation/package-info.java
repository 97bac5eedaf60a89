/**
 * Segments: named conditions over profiles, their definitions and their evaluation. The
 * definition language lives in {@link io.cdpkit.segmentation.definition}; a definition that
 * breaks a rule is reported as a {@link io.cdpkit.segmentation.DefinitionValidationException}
 * listing every violation with a JSON pointer.
 */
@NullMarked
package io.cdpkit.segmentation;

import org.jspecify.annotations.NullMarked;
