package io.cdpkit.storage.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.core.StorageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The documents of one PostgreSQL write statement are bounded below the server's 1 GB message
 * limit, and a commit beyond it is refused before it is sent, as a failure that a retry cannot
 * mend. (The path that calls this check runs in every PostgreSQL write test; a commit of a
 * gigabyte of documents is too large for the suite.)
 */
class DocumentLimitTest {
  @Test
  @DisplayName("documents up to the limit pass; one byte more is refused, not retryable, naming"
      + " the writes and no value")
  void refusedBeyondTheLimit() {
    assertThat(Rows.MAX_DOCUMENT_BYTES).isLessThan(1L << 30);
    assertThatCode(() -> Rows.checkDocumentBytes(Rows.MAX_DOCUMENT_BYTES, "storing events"))
        .doesNotThrowAnyException();

    StorageException e = catchThrowableOfType(
        () -> Rows.checkDocumentBytes(Rows.MAX_DOCUMENT_BYTES + 1, "storing events, storing"
            + " profiles"), StorageException.class);

    assertThat(e).isNotNull();
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("storing events, storing profiles", "refused",
        "fewer or smaller events");
  }
}
