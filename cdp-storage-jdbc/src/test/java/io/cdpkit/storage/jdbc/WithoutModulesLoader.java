package io.cdpkit.storage.jdbc;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A class loader over this test run's class path without cdp-segmentation and
 * cdp-activation-spi (as on a host that has neither module), that notes in {@code asked} the
 * name of every class of those modules, or matching {@code watched}, anyone asks it for: tests
 * that the store never loads what it must not.
 */
public final class WithoutModulesLoader extends URLClassLoader {
  private final Set<String> asked;
  private final Predicate<String> watched;

  private WithoutModulesLoader(URL[] urls, Set<String> asked, Predicate<String> watched) {
    super(urls, ClassLoader.getPlatformClassLoader());
    this.asked = asked;
    this.watched = watched;
  }

  /** A loader noting the modules' classes, and those {@code watched} accepts, in {@code asked}. */
  public static WithoutModulesLoader open(Set<String> asked, Predicate<String> watched) {
    List<URL> urls = new ArrayList<>();
    try {
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (!entry.contains("cdp-segmentation") && !entry.contains("cdp-activation-spi")) {
          urls.add(new File(entry).toURI().toURL());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new WithoutModulesLoader(urls.toArray(URL[]::new), asked, watched);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith("io.cdpkit.segmentation.") || name.startsWith("io.cdpkit.activation.")
        || watched.test(name)) {
      asked.add(name);
    }
    return super.loadClass(name, resolve);
  }
}
