package io.irhub.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a request body byte for byte, up to a limit. For a form-encoded request the platform-http engine would
 * decode the form and drop the raw bytes, yet a Slack signature is computed over exactly those bytes; so the
 * interactions endpoint takes the untouched Vert.x request ({@code useBodyHandler=false}) and reads it here.
 */
final class RawBody {
    private RawBody() {
    }

    /** @return the body, or {@code null} when it is larger than {@code maxBytes} */
    static byte[] read(HttpServerRequest request, int maxBytes) throws IntakeRefusal {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Buffer collected = Buffer.buffer();
        request.exceptionHandler(done::completeExceptionally);
        request.handler(chunk -> {
            if (collected.length() + chunk.length() > maxBytes) {
                done.complete(null);
            } else {
                collected.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> done.complete(collected.getBytes()));
        request.resume();
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IntakeRefusal(400, "slack-interactions", "the body was not read");
        } catch (ExecutionException | TimeoutException e) {
            throw new IntakeRefusal(400, "slack-interactions", "the body could not be read in time");
        }
    }
}
