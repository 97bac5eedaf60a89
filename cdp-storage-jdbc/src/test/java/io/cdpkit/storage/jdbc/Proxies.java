package io.cdpkit.storage.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** For the tests' JDBC proxies (data sources, connections and statements that fail or record). */
public final class Proxies {
  private Proxies() {}

  /**
   * Calls {@code m} on {@code target} as the proxy's caller asked, throwing what the method
   * threw rather than the reflective wrapper around it.
   */
  public static Object forward(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
