using GpuCascade.Simulation;

namespace GpuCascade.Backends.Managed;

/// <summary>
/// The reference backend: the model in managed code, double precision, multi-threaded over blocks of paths.
/// Always available; every device backend is checked against it.
/// </summary>
public sealed class ManagedBackend : ISimulationBackend
{
    /// <summary>A managed backend using <paramref name="threads"/> threads (all cores when null).</summary>
    public ManagedBackend(int? threads = null)
    {
        if (threads is <= 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "must be >= 1");
        Threads = threads ?? Environment.ProcessorCount;
    }

    /// <summary>Skip cohorts proven healthy (exact); false only in tests that check that claim.</summary>
    internal bool Screening { get; init; } = true;

    /// <summary>Worker threads.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public string Description => $"managed CPU reference, double precision, {Threads} thread{(Threads == 1 ? "" : "s")}";

    /// <inheritdoc/>
    public int PreferredBatchSize(SimulationPlan plan) => SimulationEngine.BlockSize * Math.Max(4, 4 * Threads);

    /// <inheritdoc/>
    public void Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation)
    {
        int blockSize = SimulationEngine.BlockSize;
        int blocks = (count + blockSize - 1) / blockSize;
        outputs.Start = start;
        outputs.Count = count;
        int next = -1;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        // Workers take whole blocks in order; each block is simulated by one thread, path by path.
        void Worker()
        {
            try
            {
                var simulator = new PathSimulator(plan, Screening);
                int b;
                while (failure is null && !cancellation.IsCancellationRequested
                       && (b = Interlocked.Increment(ref next)) < blocks)
                {
                    int end = Math.Min(count, (b + 1) * blockSize);
                    for (int row = b * blockSize; row < end; row++)
                    {
                        if (cancellation.IsCancellationRequested) return;
                        simulator.Run((ulong)(start + row), outputs, row);
                    }
                    blockDone?.Invoke(b);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
            }
        }
        int workers = Math.Min(Threads, blocks);
        var threads = new Thread[Math.Max(0, workers - 1)];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Worker) { IsBackground = true, Name = $"gpucascade-managed-{t + 1}" };
            threads[t].Start();
        }
        Worker();
        foreach (var thread in threads) thread.Join();
        failure?.Throw();
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
