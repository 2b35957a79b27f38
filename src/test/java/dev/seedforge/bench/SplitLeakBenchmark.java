package dev.seedforge.bench;

import dev.seedforge.balance.SplitFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How close the written validation file comes to train, on every pair of a label. Excluded from
 * {@code mvn test}; run with {@code mvn -B test -Pbench -Dtest=SplitLeakBenchmark -Dbench.dirs=DIR,DIR}
 * on the folders of runs to compare (e.g. the offline example run before and after a change).
 */
@Tag("benchmark")
class SplitLeakBenchmark {
  @Test
  void validation_records_with_a_train_variant() throws Exception {
    for (String dir : System.getProperty("bench.dirs", "output/support-intents").split(",")) {
      SplitFiles.Figures f = SplitFiles.measure(Path.of(dir), true);
      System.out.printf(java.util.Locale.ROOT,
          "BENCH split %s: train %d, validation %d; largest validation/train similarity of a label: word-triple Jaccard %.3f (>= 0.8: %d, >= 0.5: %d records),"
              + " word Jaccard %.3f (>= 0.8: %d, >= 0.5: %d), MiniLM cosine %.3f (>= 0.9: %d, >= 0.8: %d)%n",
          dir, f.train(), f.validation(),
          f.shingles().largest(), f.shingles().atLeastHigh(), f.shingles().atLeastLow(),
          f.words().largest(), f.words().atLeastHigh(), f.words().atLeastLow(),
          f.cosine().largest(), f.cosine().atLeastHigh(), f.cosine().atLeastLow());
    }
  }
}
