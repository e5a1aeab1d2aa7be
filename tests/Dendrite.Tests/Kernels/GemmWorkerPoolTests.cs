using Dendrite.Kernels;

namespace Dendrite.Tests.KernelTests;

/// <summary>The GEMM's persistent thread pool (WorkerPool): every chunk runs exactly once, failures reach the caller.</summary>
public class GemmWorkerPoolTests
{
    private sealed class CountingJob(int chunks) : IParallelJob
    {
        public readonly int[] Runs = new int[chunks];
        public readonly HashSet<int> Threads = [];

        public void Execute(int chunk)
        {
            Interlocked.Increment(ref Runs[chunk]);
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            Thread.SpinWait(2000);
        }
    }

    private sealed class FailingJob : IParallelJob
    {
        public void Execute(int chunk)
        {
            if (chunk == 3) throw new InvalidOperationException("chunk 3 failed");
        }
    }

    [Fact]
    public void EveryChunkRunsExactlyOnceCallAfterCall()
    {
        var pool = new WorkerPool();
        for (int call = 0; call < 200; call++)
        {
            int chunks = 1 + call % 37;
            var job = new CountingJob(chunks);
            Assert.True(pool.TryRun(job, chunks, threads: 1 + call % 3));
            Assert.All(job.Runs, r => Assert.Equal(1, r));
        }
    }

    private sealed class PlacementJob(int chunks) : IParallelJob
    {
        public readonly int[] Index = new int[chunks];

        public void Execute(int chunk)
        {
            Index[chunk] = WorkerPool.CurrentIndex;
            Thread.SpinWait(2000);
        }
    }

    [Fact]
    public void With_two_threads_the_caller_runs_a_front_run_of_chunks_and_the_worker_the_rest()
    {
        var pool = new WorkerPool();
        for (int call = 0; call < 50; call++)
        {
            var job = new PlacementJob(16);
            Assert.True(pool.TryRun(job, 16, threads: 2));
            // Caller (index 0) from the front, worker 1 from the back: 0...0 1...1, never interleaved.
            int split = Array.IndexOf(job.Index, 1);
            if (split < 0) split = 16;
            Assert.All(job.Index[..split], i => Assert.Equal(0, i));
            Assert.All(job.Index[split..], i => Assert.Equal(1, i));
        }
    }

    [Fact]
    public void WorkersTakePartWhenThereIsEnoughWork()
    {
        var pool = new WorkerPool();
        var job = new CountingJob(64);
        for (int attempt = 0; attempt < 100 && job.Threads.Count < 2; attempt++)
        {
            job = new CountingJob(64);
            Assert.True(pool.TryRun(job, 64, threads: 2));
        }
        Assert.Equal(2, job.Threads.Count);
    }

    [Fact]
    public void AFailingChunkIsReportedAndThePoolStaysUsable()
    {
        var pool = new WorkerPool();
        var e = Assert.Throws<AggregateException>(() => pool.TryRun(new FailingJob(), 8, threads: 2));
        Assert.Contains("chunk 3 failed", e.InnerException!.Message);
        var job = new CountingJob(8);
        Assert.True(pool.TryRun(job, 8, threads: 2));
        Assert.All(job.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void MeasureGflopsReportsAPositiveRateAndRejectsBadArguments()
    {
        double gflops = GemmBenchmark.MeasureGflops(48, TestEngines.Of(1), 0.05);
        Assert.True(gflops > 0.01 && double.IsFinite(gflops), $"{gflops}");
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.MeasureGflops(0, TestEngines.Of(1), 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.MeasureGflops(8, new Engine(0), 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.MeasureGflops(8, TestEngines.Of(1), 0));
    }
}
