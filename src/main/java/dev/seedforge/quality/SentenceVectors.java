package dev.seedforge.quality;

import java.util.List;

/**
 * The in-process sentence embeddings for stages outside the gate (the split's similarity groups):
 * the same batched MiniLM encoder, loaded once per JVM, as the domain-relevance filter uses. The
 * vectors are L2-normalised, so their dot product is their cosine.
 */
public final class SentenceVectors {
  private SentenceVectors() {}

  /** The embeddings of {@code texts} in their order; {@code model} is one of {@code Relevance.EMBEDDING_MODELS}. */
  public static List<float[]> embedAll(String model, List<String> texts) {
    return SentenceEncoder.of(model).embedAll(texts);
  }

  /**
   * Forgets the vectors every loaded model keeps in memory, as a new process starts (the models
   * stay loaded): for measurements that run the same texts twice in one JVM.
   */
  public static void forgetRecent() {
    SentenceEncoder.forgetAllRecent();
  }
}
