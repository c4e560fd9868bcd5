using GpuCascade.Paths;

namespace GpuCascade.Backends;

/// <summary>
/// Several backends at once (<c>--backend all</c>): each batch is cut into chunks of whole statistics blocks that
/// the devices take from one queue, so a fast GPU takes many chunks while a CPU takes a few. Every path is simulated
/// by exactly one device; results agree with a single device within the parity tolerance (not bit for bit, since
/// which device simulates which chunk depends on timing).
/// </summary>
internal sealed class MultiBackend : ISimulationBackend
{
    private readonly IReadOnlyList<ISimulationBackend> _backends;

    /// <summary>Runs batches on all of <paramref name="backends"/>; disposes them with itself.</summary>
    public MultiBackend(IReadOnlyList<ISimulationBackend> backends)
    {
        if (backends.Count == 0) throw new ArgumentException("at least one backend", nameof(backends));
        _backends = backends;
    }

    /// <summary>The backends.</summary>
    public IReadOnlyList<ISimulationBackend> Backends => _backends;

    /// <inheritdoc/>
    public string Name => "all";

    /// <inheritdoc/>
    public string Description => "all devices: " + string.Join("; ", _backends.Select(b => b.Description));

    /// <inheritdoc/>
    public int PreferredBatchSize(SimulationPlan plan) => _backends.Sum(b => b.PreferredBatchSize(plan));

    /// <inheritdoc/>
    public void Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation)
    {
        outputs.Start = start;
        outputs.Count = count;
        int block = PathOutputs.BlockSize;
        // Chunks small enough to share out, large enough to keep a GPU busy: a quarter of each device's batch at most.
        int chunk = Math.Max(block, Math.Min(count / (2 * _backends.Count), _backends.Min(b => b.PreferredBatchSize(plan)) / 4) / block * block);
        int chunks = (count + chunk - 1) / chunk;
        int next = -1;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = _backends.Select(backend => new Thread(() =>
        {
            try
            {
                var own = new PathOutputs(chunk, plan.AssetCount, outputs.SeriesRows);
                int c;
                while (errors.IsEmpty && !cancellation.IsCancellationRequested && (c = Interlocked.Increment(ref next)) < chunks)
                {
                    int from = c * chunk, n = Math.Min(chunk, count - from);
                    int firstBlock = from / block;
                    var done = new List<int>();
                    backend.Run(plan, start + from, n, own, b => { lock (done) done.Add(b); }, cancellation);
                    if (done.Count < (n + block - 1) / block) return; // cancelled inside the chunk
                    outputs.CopyRowsFrom(own, 0, from, n);
                    if (blockDone is not null) foreach (int b in done) blockDone(firstBlock + b);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        }) { IsBackground = true, Name = $"gpucascade-{backend.Name}" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.Count == 1) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(errors.First());
        if (!errors.IsEmpty) throw new AggregateException("devices failed in --backend all", errors);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var b in _backends) b.Dispose();
    }
}
