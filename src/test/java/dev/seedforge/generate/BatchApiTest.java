package dev.seedforge.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.seed.TaskType;
import dev.seedforge.util.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Batch API's wire details that differ between OpenAI and Azure, and the batch object as the provider documents it. */
class BatchApiTest {
  static ModelSettings at(String baseUrl) {
    return new ModelSettings("openai", "gpt-4o-mini", baseUrl, "K", 5, 1, 1, TaskType.CLASSIFICATION);
  }

  @Test
  void should_address_chat_completions_as_each_provider_documents_for_batch_lines() {
    assertThat(new BatchApi(at(null), Map.of()).endpointPath()).isEqualTo("/v1/chat/completions");
    assertThat(new BatchApi(at("http://localhost:8000/v1"), Map.of()).endpointPath()).isEqualTo("/v1/chat/completions");
    assertThat(new BatchApi(at("https://res.openai.azure.com/openai/v1"), Map.of()).endpointPath()).isEqualTo("/chat/completions");
  }

  @Test
  void should_read_a_batch_object_with_its_counts_files_and_validation_errors() throws Exception {
    // given: a batch object in the shape of OpenAI's API reference
    JsonNode b = Json.mapper().readTree("""
        {"id": "batch_abc123", "object": "batch", "endpoint": "/v1/chat/completions",
         "errors": {"object": "list", "data": [{"code": "invalid_json", "message": "Line 3 is not valid JSON.", "line": 3}]},
         "input_file_id": "file-abc123", "completion_window": "24h", "status": "failed",
         "output_file_id": null, "error_file_id": "file-err", "created_at": 1711471533, "in_progress_at": null,
         "expires_at": 1711557933, "request_counts": {"total": 100, "completed": 95, "failed": 5}, "metadata": {}}
        """);

    // when
    BatchApi.Status s = BatchApi.Status.of(b);

    // then
    assertThat(s.terminal()).isTrue();
    assertThat(s.outputFileId()).isNull();
    assertThat(s.errorFileId()).isEqualTo("file-err");
    assertThat(s.total()).isEqualTo(100);
    assertThat(s.completed()).isEqualTo(95);
    assertThat(s.failed()).isEqualTo(5);
    assertThat(s.inProgressAt()).isZero();
    assertThat(s.errors()).isEqualTo("invalid_json: Line 3 is not valid JSON. (line 3)");
    for (String open : new String[] {"validating", "in_progress", "finalizing", "cancelling"}) {
      assertThat(new BatchApi.Status("b", open, null, null, 0, 0, 0, 0, 0, null).terminal()).as(open).isFalse();
    }
  }
}
