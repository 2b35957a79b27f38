package dev.seedforge.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem in an input before failing, so users fix them all in one pass. */
public final class Problems {
  private final String source;
  private final List<String> list = new ArrayList<>();

  public Problems(String source) {
    this.source = source;
  }

  public void add(String where, String message) {
    list.add(where == null || where.isEmpty() ? source + ": " + message : source + ": " + where + ": " + message);
  }

  public void addRaw(String message) {
    list.add(message);
  }

  public void addAll(List<String> messages) {
    list.addAll(messages);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<String> all() {
    return List.copyOf(list);
  }

  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new InvalidInputException(list);
    }
  }
}
