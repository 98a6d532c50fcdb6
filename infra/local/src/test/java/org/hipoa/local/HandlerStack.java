package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.wire.CropMessage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local stack for tests that drive the real handlers themselves, each with its function's role clients: the
 * stack's own preprocess and inference functions are stand-ins that do nothing but capture every claim check sent
 * (by uploadId), and the claim-check DLQ has no consumer, so nothing moves an upload but the test.
 */
record HandlerStack(EmbeddedAws aws, PipelineConfig config, ResultQueries results, Keys keys,
                    Map<String, String> claimChecks) implements AutoCloseable {

    static HandlerStack start() {
        Map<String, String> claimChecks = new ConcurrentHashMap<>();
        EmbeddedAws aws = EmbeddedAws.builder()
                .preprocess(() -> (RequestHandler<S3Event, Void>) (e, c) -> null)
                .inference(() -> (RequestHandler<SQSEvent, SQSBatchResponse>) (e, c) -> {
                    for (SQSEvent.SQSMessage m : e.getRecords()) {
                        claimChecks.put(CropMessage.fromJson(m.getBody()).uploadId(), m.getBody());
                    }
                    return new SQSBatchResponse(List.of());
                })
                .deadLetter(null)
                .start();
        return new HandlerStack(aws, PipelineConfig.fromEnvironment(),
                new ResultQueries(aws.dynamoDb(), aws.names().table()), new Keys(aws.studyKeySecret()), claimChecks);
    }

    @Override
    public void close() {
        aws.close();
    }
}
