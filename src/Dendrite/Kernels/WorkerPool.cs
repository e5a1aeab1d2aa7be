using System.Diagnostics;

namespace Dendrite.Kernels;

/// <summary>
/// A few persistent worker threads for the kernels. The caller runs part 0 itself and worker w runs part w;
/// nothing is allocated or queued per call. An idle worker spins for a short while (back-to-back GEMMs of a
/// training step then start in well under a microsecond), then sleeps on its own monitor.
/// One dispatch at a time: a second thread calling in while the pool is busy is told to run serially.
/// </summary>
internal sealed class WorkerPool
{
    public static readonly WorkerPool Shared = new();

    // Spin this long before sleeping: covers the gaps between the GEMMs of one training step.
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 us

    private readonly object _owner = new();
    private Worker[] _workers = [];
    private IParallelJob? _job;
    private int _count, _pending, _generation;
    private Exception? _error;

    /// <summary>Runs job.Execute(i, count) for i in [0, count) on count threads; false if the pool is busy.</summary>
    public bool TryRun(IParallelJob job, int count)
    {
        if (!Monitor.TryEnter(_owner)) return false;
        try
        {
            if (_workers.Length < count - 1) Grow(count - 1);
            _job = job;
            _count = count;
            _error = null;
            Volatile.Write(ref _pending, count - 1);
            int generation = ++_generation;
            for (int w = 0; w < count - 1; w++) _workers[w].Start(generation);
            try { job.Execute(0, count); }
            finally { WaitForWorkers(); }
            _job = null;
            if (_error is not null) throw new AggregateException("a kernel worker thread failed", _error);
            return true;
        }
        finally { Monitor.Exit(_owner); }
    }

    private void WaitForWorkers()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    private void Grow(int workers)
    {
        var grown = new Worker[workers];
        Array.Copy(_workers, grown, _workers.Length);
        for (int w = _workers.Length; w < workers; w++) grown[w] = new Worker(this, w + 1);
        _workers = grown;
    }

    private void RunPart(int index)
    {
        try { _job!.Execute(index, _count); }
        catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
        finally { Interlocked.Decrement(ref _pending); }
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly int _index;
        private readonly object _gate = new();
        private int _signal, _sleeping;

        public Worker(WorkerPool pool, int index)
        {
            _pool = pool;
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"dendrite-worker-{index}" }.Start();
        }

        // Dekker handshake: we publish the signal then read _sleeping; the worker sets _sleeping then
        // re-reads the signal under the gate, so one of the two always sees the other.
        public void Start(int generation)
        {
            Interlocked.Exchange(ref _signal, generation);
            if (Volatile.Read(ref _sleeping) != 0)
                lock (_gate) Monitor.Pulse(_gate);
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _signal) == seen)
                {
                    if (Stopwatch.GetTimestamp() < deadline) { Thread.SpinWait(20); continue; }
                    lock (_gate)
                    {
                        Interlocked.Exchange(ref _sleeping, 1);
                        while (Volatile.Read(ref _signal) == seen) Monitor.Wait(_gate);
                        Volatile.Write(ref _sleeping, 0);
                    }
                }
                seen = Volatile.Read(ref _signal);
                _pool.RunPart(_index);
            }
        }
    }
}
