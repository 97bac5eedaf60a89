package io.cdpkit.storage.jdbc;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * A data source that notes, lower-cased, the SQL of every statement its connections prepare, or
 * hands it to a hook before the statement is prepared.
 */
final class StatementRecorder {
  private StatementRecorder() {}

  /** {@code target}, noting each prepared statement's SQL in {@code prepared}. */
  static DataSource recording(DataSource target, List<String> prepared) {
    return beforePrepare(target, prepared::add);
  }

  /**
   * {@code target}, whose connections hand each statement's lower-cased SQL to {@code hook} on
   * the preparing thread, before they prepare it: a test can make another transaction commit
   * at that very point.
   */
  static DataSource beforePrepare(DataSource target, Consumer<String> hook) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object out = Proxies.forward(target, method, args);
          if (!(out instanceof Connection c)) {
            return out;
          }
          return Proxy.newProxyInstance(Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().equals("prepareStatement")) {
                  hook.accept(((String) a[0]).toLowerCase(Locale.ROOT));
                }
                return Proxies.forward(c, m, a);
              });
        });
  }
}
