package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import org.hipoa.aws.HipPictureStore;
import org.hipoa.domain.Side;
import org.hipoa.domain.result.ResultRecord;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One file of a graded hip under {@code /v1/uploads/{uploadId}/hips/}: its PNG ({@code right.png}, {@code left.png})
 * or where the grader looked ({@code right.cam.json}, {@code left.cam.json}).
 */
record HipFile(Side side, HipPictureStore.Kind kind) {
    /** @throws ApiError a 400 for any other name */
    static HipFile parse(String file) {
        Side side = switch (file) {
            case "right.png", "right.cam.json" -> Side.RIGHT;
            case "left.png", "left.cam.json" -> Side.LEFT;
            default -> throw ApiError.badRequest(
                    "The hip file is right.png, left.png, right.cam.json or left.cam.json.");
        };
        return new HipFile(side, file.endsWith(".png") ? HipPictureStore.Kind.PNG : HipPictureStore.Kind.HEATMAPS);
    }

    /**
     * The file as stored for {@code graded}, a 404 when none is. The PNG goes base64 with {@code isBase64Encoded};
     * API Gateway returns bytes for it because the API lists image/png as a binary media type (openapi.yaml).
     */
    APIGatewayProxyResponseEvent read(HipPictureStore store, ResultRecord graded) {
        if (kind == HipPictureStore.Kind.HEATMAPS) {
            byte[] json = store.get(graded, side, kind).orElseThrow(() -> ApiError.notFound(
                    "No heatmaps are stored for this result (its model has no class-activation outputs)."));
            return ApiResponses.respond(200, "application/json", new String(json, StandardCharsets.UTF_8));
        }
        byte[] png = store.get(graded, side)
                .orElseThrow(() -> ApiError.notFound("No hip image is stored for this result."));
        return ApiResponses.respond(200, HipPictureStore.CONTENT_TYPE, Base64.getEncoder().encodeToString(png))
                .withIsBase64Encoded(true);
    }
}
