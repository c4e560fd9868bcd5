using GpuCascade.Kernels;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Backends.Managed;

/// <summary>
/// The reference backend: the one path model (<see cref="CascadePath{TD,TI,TSD,TSI,TP}"/>, kernels/) called natively on .NET
/// threads in double precision, without an ILGPU context. Each worker owns a contiguous scratch for a path's state
/// (stride 1), reused path after path, so the path loop allocates nothing. Always available; every device is
/// checked against it. One run at a time per instance (it keeps the packed plan and the batch's output block).
/// </summary>
public sealed class ManagedBackend : ISimulationBackend
{
    private PackedPlan? _packed;
    private OutputBlock? _block;

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
        if (!ReferenceEquals(_packed?.Plan, plan)) _packed = new PackedPlan(plan, Screening);
        var packed = _packed;
        if (_block is null || _block.Stride < count || _block.Assets != plan.AssetCount) _block = new OutputBlock(count, plan.AssetCount);
        var block = _block;
        int next = -1;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        // Workers take whole blocks in order; each block is simulated by one thread, path by path.
        void Worker()
        {
            try
            {
                var layout = packed.Layout;
                var stateReals = GC.AllocateUninitializedArray<double>(Math.Max(1, layout.RealSlots), pinned: true);
                var stateInts = GC.AllocateUninitializedArray<int>(Math.Max(1, layout.IntSlots), pinned: true);
                var state = new PathSlots<HostArray<double>, HostArray<int>>(PackedPlan.View(stateReals), PackedPlan.View(stateInts));
                var path = new CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision>(
                    layout, PackedPlan.View(packed.Reals), PackedPlan.View(packed.Ints), state);
                int b;
                while (failure is null && !cancellation.IsCancellationRequested
                       && (b = Interlocked.Increment(ref next)) < blocks)
                {
                    int from = b * blockSize, end = Math.Min(count, from + blockSize);
                    var cohorts = new CohortTotals(layout.Cohorts);
                    for (int row = from; row < end; row++)
                    {
                        if (cancellation.IsCancellationRequested) return;
                        path.Run((ulong)(start + row), block.Slots(row));
                        AddCohorts(cohorts, layout, stateReals, stateInts);
                    }
                    outputs.BlockCohorts[b] = cohorts;
                    block.CopyTo(plan, start + from, from, end, outputs, from, Name);
                    blockDone?.Invoke(b);
                }
                GC.KeepAlive(stateReals);
                GC.KeepAlive(stateInts);
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
        GC.KeepAlive(packed);
        GC.KeepAlive(block);
    }

    /// <summary>
    /// Bad debt per cohort summed over <paramref name="paths"/>: the attribution's re-simulation of the tail paths
    /// (CohortAttributionBuilder). The paths are cut into fixed chunks of 64, each summed in the order given by whichever
    /// worker takes it (one scratch per worker), and the chunks added in order: the same sums for any thread count.
    /// </summary>
    internal double[] BadDebtByCohort(SimulationPlan plan, IReadOnlyList<long> paths)
    {
        const int chunk = 64;
        if (!ReferenceEquals(_packed?.Plan, plan)) _packed = new PackedPlan(plan, Screening);
        var packed = _packed;
        var layout = packed.Layout;
        int chunks = (paths.Count + chunk - 1) / chunk;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            () => new Scratch(packed, plan.AssetCount),
            (k, _, scratch) =>
            {
                var sums = new double[layout.Cohorts];
                for (int i = k * chunk; i < Math.Min(paths.Count, (k + 1) * chunk); i++)
                {
                    var totals = new CohortTotals(layout.Cohorts);
                    scratch.Path.Run((ulong)paths[i], scratch.Output.Slots(0));
                    scratch.Output.CopyTo(plan, paths[i], 0, 1, scratch.One, 0, Name); // a failed path's error, as in the run
                    AddCohorts(totals, layout, scratch.Reals, scratch.Ints);
                    for (int c = 0; c < sums.Length; c++) sums[c] += totals.BadDebt[c];
                }
                partial[k] = sums;
                return scratch;
            },
            _ => { });
        var total = new double[layout.Cohorts];
        foreach (var sums in partial)
            for (int c = 0; c < total.Length; c++) total[c] += sums[c];
        return total;
    }

    /// <summary>One worker's path state and output row.</summary>
    private sealed class Scratch
    {
        public Scratch(PackedPlan packed, int assets)
        {
            var layout = packed.Layout;
            Reals = GC.AllocateUninitializedArray<double>(Math.Max(1, layout.RealSlots), pinned: true);
            Ints = GC.AllocateUninitializedArray<int>(Math.Max(1, layout.IntSlots), pinned: true);
            Output = new OutputBlock(1, assets);
            One = new PathOutputs(1, assets);
            Path = new CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision>(
                layout, PackedPlan.View(packed.Reals), PackedPlan.View(packed.Ints),
                new PathSlots<HostArray<double>, HostArray<int>>(PackedPlan.View(Reals), PackedPlan.View(Ints)));
        }

        public double[] Reals { get; }
        public int[] Ints { get; }
        public OutputBlock Output { get; }
        public PathOutputs One { get; }
        public CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision> Path;
    }

    /// <summary>
    /// Adds the path just simulated to the block's per-cohort totals: the cohorts it liquidated are exactly those whose
    /// state it wrote (the modified bit set), with their liquidated notional and bad debt in their state slots.
    /// </summary>
    private static void AddCohorts(CohortTotals totals, in PlanLayout l, double[] reals, int[] ints)
    {
        int cohorts = l.Cohorts;
        for (int w = 0; w < PathState.ModifiedWords(cohorts); w++)
        {
            uint bits = (uint)ints[l.ModifiedSlot + w];
            while (bits != 0)
            {
                int c = 32 * w + System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                totals.Add(c, reals[l.CohortRealSlot + PathState.LiquidatedNotional * cohorts + c],
                    reals[l.CohortRealSlot + PathState.BadDebt * cohorts + c]);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
