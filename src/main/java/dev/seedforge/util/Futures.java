package dev.seedforge.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Work started on another thread, waited for on this one. */
public final class Futures {
  private Futures() {}

  /** The value of {@code work}, or what it threw, thrown as it was thrown there (not wrapped). */
  public static <T> T join(CompletableFuture<T> work) {
    try {
      return work.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error r) {
        throw r;
      }
      throw e;
    }
  }
}
