package dev.seedforge.generate;

import dev.seedforge.config.PipelineSpec;
import java.io.Serializable;

/**
 * How a worker sends its requests in batch mode: the pipeline's llm.mode and llm.batch, and the
 * Batch API's price (null: the batch is priced at the sync price).
 */
public record BatchSettings(PipelineSpec.Batch spec, PipelineSpec.Price price) implements Serializable {
  public boolean on() {
    return spec != null && spec.on();
  }
}
