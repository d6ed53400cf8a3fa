package io.vectorflow.storage.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockCacheTest {

    private static final int BLOCK = 1024;

    private static BlockCache.Fetch bytes(AtomicInteger fetches) {
        return () -> {
            fetches.incrementAndGet();
            return ByteBuffer.allocate(BLOCK);
        };
    }

    @Test
    void aScanOfBlocksUsedOnceDoesNotEvictTheBlocksQueriesComeBackTo() {
        BlockCache cache = new BlockCache(10L * BLOCK);
        AtomicInteger fetches = new AtomicInteger();
        for (int round = 0; round < 2; round++) { // the working set: five blocks, each used twice
            for (int b = 0; b < 5; b++) {
                cache.get("hot", b, bytes(fetches), null);
            }
        }
        assertThat(fetches).hasValue(5);
        for (int b = 0; b < 50; b++) { // a scan: fifty blocks used once
            cache.get("scan", b, bytes(fetches), null);
        }
        assertThat(cache.stats().bytes()).isLessThanOrEqualTo(10L * BLOCK);
        fetches.set(0);
        TierTrace trace = new TierTrace();
        for (int b = 0; b < 5; b++) {
            cache.get("hot", b, bytes(fetches), trace);
        }
        assertThat(fetches).as("plain LRU would have fetched all five again").hasValue(0);
        assertThat(trace.hits()).isEqualTo(5);
        assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(40);
    }

    @Test
    void concurrentRequestsForOneBlockFetchItOnce() throws Exception {
        BlockCache cache = new BlockCache(1 << 20);
        AtomicInteger fetches = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        BlockCache.Fetch slow = () -> {
            fetches.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return ByteBuffer.allocate(BLOCK);
        };
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> cache.get("o", 0, slow, null)));
        }
        Thread.sleep(100);
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(fetches).hasValue(1);
        assertThat(cache.stats().hits()).isEqualTo(7);
    }

    @Test
    void aFailedFetchIsReportedAndTriedAgainNextTime() {
        BlockCache cache = new BlockCache(1 << 20);
        assertThatThrownBy(() -> cache.get("o", 0, () -> {
            throw new IOException("connection refused");
        }, null)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("connection refused");
        assertThat(cache.lastFailure()).contains("connection refused");
        AtomicInteger fetches = new AtomicInteger();
        cache.get("o", 0, bytes(fetches), null);
        assertThat(fetches).hasValue(1);
        assertThat(cache.lastFailure()).isNull();
        cache.forget("o");
        assertThat(cache.stats().bytes()).isZero();
    }
}
