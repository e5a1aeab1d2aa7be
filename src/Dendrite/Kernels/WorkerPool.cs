namespace Dendrite.Kernels;

/// <summary>
/// A few persistent worker threads for the kernels. A call publishes a job of N chunks; the caller and the
/// workers claim chunks one at a time until none are left, so a worker that wakes late (or is preempted on this
/// shared machine) simply gets fewer chunks. The caller claims from the front and the first worker from the back:
/// with two threads each works through a contiguous run of chunks (neighbouring chunks share packed GEMM blocks,
/// and handing those between cores was what made 2 threads slower than 1 at times, see Work). Nothing is
/// allocated or queued per call.
/// The claim word carries the call's generation, so a straggler from an earlier call can never take a chunk of
/// a later one. Idle workers spin briefly (the GEMMs of a training step come back to back), then sleep.
/// One dispatch at a time: a second caller while the pool is busy is told to run its chunks itself.
/// Each <see cref="Engine"/> owns one pool, so engines used from different threads never wait for each other.
/// </summary>
internal sealed class WorkerPool
{
    // Spin this many ~1 us rounds before sleeping: covers the gaps between the GEMMs of a training step.
    // Counted in rounds, not wall time, so time spent preempted on a busy machine is not taken for idleness.
    // A sleeping worker took 10-40 us to wake (measured at load 10); the caller never waits for a worker
    // that has not claimed a chunk yet, it just does more of the chunks itself.
    private const int SpinRounds = 200;

    /// <summary>Most chunks one call may have (20 bits of the claim word).</summary>
    public const int MaxChunks = (1 << 20) - 1;

    private readonly object _owner = new();
    private Worker[] _workers = [];

    /// <summary>
    /// Which thread of the pool is running: 0 for the calling thread, 1, 2, ... for the workers. A job may keep one
    /// scratch buffer per thread (Engine.Threads of them) and pick it by this index. Thread-static rather than per
    /// pool: a worker thread belongs to exactly one pool, and a thread that calls TryRun is 0 in every pool.
    /// </summary>
    [ThreadStatic] private static int t_index;

    public static int CurrentIndex => t_index;
    private IParallelJob? _job;
    private long _claim;        // generation << 40 | end << 20 | next: chunks [next, end) are unclaimed
    private int _done, _generation;
    private Exception? _error;

    /// <summary>Runs job.Execute(c) for c in [0, chunks) on up to `threads` threads; false if the pool is busy.</summary>
    public bool TryRun(IParallelJob job, int chunks, int threads)
    {
        if (chunks > MaxChunks) throw new ArgumentOutOfRangeException(nameof(chunks), $"at most {MaxChunks} chunks, got {chunks}");
        // A chunk that itself asks for the pool (a GEMM inside a Winograd job) runs its work serially: the monitor
        // is re-entrant, so without this check the caller's thread would overwrite the job it is running.
        if (Monitor.IsEntered(_owner) || !Monitor.TryEnter(_owner)) return false;
        try
        {
            int helpers = Math.Min(threads, chunks) - 1;
            if (_workers.Length < helpers) Grow(helpers);
            int generation = _generation = _generation % 0x7F_FFFF + 1;
            _job = job;
            _error = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _claim, (long)generation << 40 | (long)chunks << 20);
            for (int w = 0; w < helpers; w++) _workers[w].Start(generation);
            Work(generation, fromBack: false);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) != chunks) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_error is not null) throw new AggregateException("a kernel worker thread failed", _error);
            return true;
        }
        finally { Monitor.Exit(_owner); }
    }

    // Claims and runs chunks of `generation` until none are left, from the front or from the back. The job is read
    // only after a successful claim: the caller cannot move on to another call while a claimed chunk is unfinished.
    // Measured on the cnn's dense(128) GEMM (64x128x3136, 8 chunks, 2 threads): from one shared counter 191-196 us,
    // from both ends 161-168 us; at a time when the host made data handed between the cores slow (one thread: 286 us),
    // one shared counter took 440 us and one chunk per thread 260 us.
    private void Work(int generation, bool fromBack)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            int next = (int)(claim & MaxChunks), end = (int)(claim >> 20 & MaxChunks);
            if ((int)(claim >> 40) != generation || next >= end) return;
            long claimed = fromBack ? claim - (1L << 20) : claim + 1;
            if (Interlocked.CompareExchange(ref _claim, claimed, claim) != claim) continue;
            int chunk = fromBack ? end - 1 : next;
            try { _job!.Execute(chunk); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            finally { Interlocked.Increment(ref _done); }
        }
    }

    private void Grow(int workers)
    {
        var grown = new Worker[workers];
        Array.Copy(_workers, grown, _workers.Length);
        for (int w = _workers.Length; w < workers; w++) grown[w] = new Worker(this, w + 1);
        _workers = grown;
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly object _gate = new();
        private int _signal, _sleeping;

        private readonly int _index;

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
            t_index = _index;
            int seen = 0;
            while (true)
            {
                int rounds = 0;
                while (Volatile.Read(ref _signal) == seen)
                {
                    if (++rounds <= SpinRounds) { Thread.SpinWait(20); continue; }
                    lock (_gate)
                    {
                        Interlocked.Exchange(ref _sleeping, 1);
                        while (Volatile.Read(ref _signal) == seen) Monitor.Wait(_gate);
                        Volatile.Write(ref _sleeping, 0);
                    }
                }
                seen = Volatile.Read(ref _signal);
                _pool.Work(seen, fromBack: _index == 1);
            }
        }
    }
}
