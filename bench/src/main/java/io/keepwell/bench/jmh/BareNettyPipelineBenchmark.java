package io.keepwell.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The floor under {@link PipelineBenchmark}: the same request and response bytes through bare
 * Netty's {@code HttpClientCodec} and one handler that reads the status and releases each part
 * (what the load tool's {@code netty} client does), on an {@link EmbeddedChannel}. What Keepwell
 * allocates per exchange beyond this is its own; what this allocates is Netty's codec.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BareNettyPipelineBenchmark {

    @Param({"13", "65536"})
    int responseSize;

    private EmbeddedChannel channel;
    private byte[] responseBytes;
    private final Ending ending = new Ending();

    private static final class Ending extends SimpleChannelInboundHandler<HttpObject> {
        int status;
        boolean ended;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof LastHttpContent) {
                ended = true;
            }
        }
    }

    @Setup
    public void setUp() {
        channel = new EmbeddedChannel(new HttpClientCodec(), ending);
        responseBytes = PipelineBenchmark.responseBytes(responseSize);
        exchange();
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int exchange() {
        ending.ended = false;
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:8080");
        channel.writeOutbound(request);
        Object written;
        while ((written = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(written);
        }
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(responseBytes.length);
        read.writeBytes(responseBytes);
        channel.writeInbound(read);
        if (!ending.ended) {
            throw new IllegalStateException("the response did not end");
        }
        return ending.status;
    }
}
