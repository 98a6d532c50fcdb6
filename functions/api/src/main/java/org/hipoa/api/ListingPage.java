package org.hipoa.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.PageToken;
import org.hipoa.aws.ResultQueries;

import java.util.List;

/**
 * One page of a provider's listing as the API returns it, {@code {"results": [...], "next": cursor | null}}: at most
 * the request's limit, and no more results than fit in one Lambda response.
 */
final class ListingPage {
    /**
     * Lambda's limit on a synchronous response (6 MB: 6,291,556 bytes of the serialised response event); past it
     * the invocation fails and API Gateway answers 502.
     */
    static final int LAMBDA_RESPONSE_LIMIT = 6_291_556;
    /**
     * Most bytes of results one listing page carries. The body travels as a JSON string inside Lambda's response
     * document, where a quote or a backslash takes two bytes, so half the limit (less room for the headers) holds
     * whatever the results contain; one result alone is far below it (a DynamoDB item is at most 400 KB, about
     * 2.4 MB as escaped JSON).
     */
    static final int MAX_PAGE_RESULT_BYTES = (LAMBDA_RESPONSE_LIMIT - 64 * 1024) / 2;

    private ListingPage() {}

    /** The page {@code request} asks for, read from {@code results}. */
    static ObjectNode read(ResultQueries results, ListingRequest request) {
        ResultQueries.Page page;
        List<ObjectNode> items;
        try {
            page = results.list(request.listing(), request.limit(), request.next());
            items = page.results().stream().map(ResultJson::of).toList();
            // Results carry text no read bounds (a model's name): a page of them may not fit Lambda's response. The
            // first results that fit are read again as a page of that many, so its cursor continues right after them.
            for (int fit = fitting(items); fit < items.size(); fit = fitting(items)) {
                page = results.list(request.listing(), fit, request.next());
                items = page.results().stream().map(ResultJson::of).toList();
            }
        } catch (PageToken.InvalidTokenException e) {
            throw ListingRequest.badCursor();
        }
        ObjectNode n = ResultJson.JSON.createObjectNode();
        n.putArray("results").addAll(items);
        page.next().ifPresentOrElse(t -> n.put("next", t), () -> n.putNull("next"));
        return n;
    }

    /** How many of the first {@code items} fit in {@link #MAX_PAGE_RESULT_BYTES}; at least one. */
    static int fitting(List<ObjectNode> items) {
        long bytes = 0;
        for (int i = 0; i < items.size(); i++) {
            try {
                bytes += ResultJson.JSON.writeValueAsBytes(items.get(i)).length + 1; // and its comma
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a result that does not serialise", e);
            }
            if (bytes > MAX_PAGE_RESULT_BYTES) return Math.max(1, i);
        }
        return items.size();
    }
}
