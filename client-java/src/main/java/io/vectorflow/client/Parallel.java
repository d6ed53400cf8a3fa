package io.vectorflow.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Sends the requests of one call concurrently, at most {@code width} in flight, on virtual
 * threads that live only as long as the call. After the first failure no further request is
 * sent; the failure is thrown once those in flight finish.
 */
final class Parallel {

    private final int width;

    Parallel(int width) {
        this.width = width;
    }

    <T, R> List<R> map(List<T> inputs, Function<T, R> call) {
        if (inputs.size() <= 1 || width == 1) {
            List<R> out = new ArrayList<>(inputs.size());
            inputs.forEach(i -> out.add(call.apply(i)));
            return out;
        }
        Semaphore permits = new Semaphore(width);
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<Future<R>> futures = new ArrayList<>(inputs.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T input : inputs) {
                permits.acquire();
                if (failed.get() != null) {
                    permits.release();
                    break;
                }
                futures.add(threads.submit(() -> {
                    try {
                        return call.apply(input);
                    } catch (RuntimeException e) {
                        failed.compareAndSet(null, e);
                        throw e;
                    } finally {
                        permits.release();
                    }
                }));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VectorFlowException(io.grpc.Status.Code.CANCELLED, "interrupted", e);
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return futures.stream().map(Future::resultNow).toList();
    }
}
