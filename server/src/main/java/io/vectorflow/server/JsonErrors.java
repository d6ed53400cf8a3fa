package io.vectorflow.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.vectorflow.engine.Json;

/**
 * Errors Armeria produces itself (a malformed request line, a path with {@code ..}, a body over
 * the limit, an unsupported method) in the API's error shape, {@code {"status": {"error": …}}}.
 */
final class JsonErrors implements ServerErrorHandler {

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        return Rest.error(cause, System.nanoTime());
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
                                                      String description, Throwable cause) {
        return render(status, description, headers);
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
                                               HttpStatus status, String description, Throwable cause) {
        return render(status, description, headers);
    }

    private static AggregatedHttpResponse render(HttpStatus status, String description, RequestHeaders headers) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        String what = description != null ? description : status.reasonPhrase();
        if (status.code() == 413) {
            what = "request body is larger than the limit";
        } else if (headers != null && (status.code() == 400 || status.code() == 404)) {
            what = what + ": " + headers.method() + " " + headers.path();
        }
        root.putObject("status").put("error", what);
        root.put("time", 0.0);
        return AggregatedHttpResponse.of(ResponseHeaders.of(status, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE,
                MediaType.JSON_UTF_8), HttpData.ofUtf8(root.toString()));
    }
}
