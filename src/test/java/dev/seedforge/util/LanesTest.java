package dev.seedforge.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LanesTest {
  // the waits below only guard against a hang: every one of them ends as soon as the threads meet
  private static final long GUARD_SECONDS = 60;

  @Test
  void should_run_every_piece_of_every_caller_once_and_never_more_than_lanes_at_once() throws Exception {
    // given 3 lanes and 5 callers at once, 200 pieces each
    Lanes lanes = new Lanes("test-lanes", 3);
    AtomicIntegerArray runs = new AtomicIntegerArray(5 * 200);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(5);
    try {
      // when
      List<Future<?>> calls = new ArrayList<>();
      for (int c = 0; c < 5; c++) {
        int caller = c;
        calls.add(callers.submit(() -> lanes.forEach(IntStream.range(0, 200).boxed().toList(), i -> {
          most.accumulateAndGet(now.incrementAndGet(), Math::max);
          runs.incrementAndGet(caller * 200 + i);
          now.decrementAndGet();
        })));
      }
      for (Future<?> f : calls) {
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }

    // then
    for (int i = 0; i < runs.length(); i++) {
      assertThat(runs.get(i)).as("piece %d", i).isEqualTo(1);
    }
    assertThat(most.get()).isBetween(1, 3);
  }

  @Test
  void should_run_one_callers_pieces_on_a_helper_thread_beside_the_caller() throws Exception {
    // given 2 lanes and pieces that each wait until another piece runs at the same time
    Lanes lanes = new Lanes("test-helper", 2);
    CyclicBarrier pair = new CyclicBarrier(2);
    Set<String> threads = ConcurrentHashMap.newKeySet();

    // when
    lanes.forEach(List.of(1, 2, 3, 4), i -> {
      threads.add(Thread.currentThread().getName());
      await(pair);
    });

    // then both lanes took part: the caller and the helper
    assertThat(threads).hasSize(2).anyMatch(n -> n.startsWith("test-helper-"));
  }

  @Test
  void should_return_when_its_own_pieces_are_done_while_the_helper_is_busy_with_another_callers() throws Exception {
    // given 2 lanes (one helper), and caller A whose piece on the helper waits for a latch
    Lanes lanes = new Lanes("test-busy", 2);
    CountDownLatch bothStarted = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      Future<?> a = callers.submit(() -> lanes.forEach(List.of(1, 2), i -> {
        bothStarted.countDown();
        awaitLatch(bothStarted);
        if (Thread.currentThread().getName().startsWith("test-busy-")) {
          awaitLatch(release);
        }
      }));
      assertThat(bothStarted.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();

      // when caller B brings two pieces: its helper task waits behind A's, so B runs them itself
      AtomicInteger bRan = new AtomicInteger();
      Future<?> b = callers.submit(() -> lanes.forEach(List.of(1, 2), i -> bRan.incrementAndGet()));

      // then B is done while A's piece still holds the helper
      b.get(GUARD_SECONDS, TimeUnit.SECONDS);
      assertThat(bRan.get()).isEqualTo(2);
      assertThat(a.isDone()).isFalse();
      release.countDown();
      a.get(GUARD_SECONDS, TimeUnit.SECONDS);
    } finally {
      release.countDown();
      callers.shutdownNow();
    }
  }

  @Test
  void should_throw_the_exception_of_a_failed_piece_as_it_was_thrown_and_start_no_more_pieces() {
    // given one lane, and a piece in the middle that fails
    Lanes lanes = new Lanes("test-fail", 1);
    IllegalStateException boom = new IllegalStateException("piece 3 failed");
    List<Integer> ran = new ArrayList<>();

    // when / then
    assertThatThrownBy(() -> lanes.forEach(List.of(1, 2, 3, 4, 5), i -> {
      ran.add(i);
      if (i == 3) {
        throw boom;
      }
    })).isSameAs(boom);
    assertThat(ran).containsExactly(1, 2, 3);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(GUARD_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the other lane never came", e);
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(GUARD_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void should_keep_a_narrow_callers_pieces_to_its_own_width() throws Exception {
    // given 4 lanes and a caller that may use 2 of them, with pieces long enough for every helper to join
    Lanes lanes = new Lanes("test-narrow", 4);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();

    // when
    lanes.forEach(IntStream.range(0, 40).boxed().toList(), i -> {
      threads.add(Thread.currentThread().getName());
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      now.decrementAndGet();
    }, 2);

    // then at most 2 threads ran them (the caller and one helper), never more than 2 at once
    assertThat(threads).hasSizeBetween(1, 2).contains(Thread.currentThread().getName());
    assertThat(most.get()).isBetween(1, 2);
    assertThatThrownBy(() -> lanes.forEach(List.of(1), i -> {}, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
