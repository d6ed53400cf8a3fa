package io.vectorflow.bench.engines;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogCaptureTest {

    @Test
    void recognisesTheLinesEnginesLogWithAndWithoutTheVectorApi() {
        assertThat(LogCapture.isVectorized("Java vector incubator API enabled; uses preferredBitSize=512; FMA enabled")).isTrue();
        assertThat(LogCapture.isVectorized("Java incubating Vector API enabled. Using PanamaVectorizationProvider.")).isTrue();
        assertThat(LogCapture.isVectorized("panama-512")).isTrue();

        assertThat(LogCapture.isVectorized("Java vector incubator API was not enabled. Java version does not support it")).isFalse();
        assertThat(LogCapture.isVectorized("Java version does not support vector API")).isFalse();
        assertThat(LogCapture.isVectorized("Java vector incubator module is not readable. For optimal vector performance, "
                + "pass '--add-modules jdk.incubator.vector' to enable Vector API.")).isFalse();
        assertThat(LogCapture.isVectorized("scalar")).isFalse();
        assertThat(LogCapture.isVectorized(null)).isFalse();
    }
}
