using GpuCascade.Kernels;
using GpuCascade.Paths;
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
    int ISimulationBackend.PreferredBatchSize(SimulationPlan plan) => PathOutputs.BlockSize * Math.Max(4, 4 * Threads);

    /// <inheritdoc/>
    void ISimulationBackend.Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation)
    {
        int blockSize = PathOutputs.BlockSize;
        int blocks = (count + blockSize - 1) / blockSize;
        outputs.Start = start;
        outputs.Count = count;
        var packed = Packed(plan);
        if (_block is null || _block.Stride < count || _block.Assets != plan.AssetCount) _block = new OutputBlock(count, plan.AssetCount);
        var records = outputs.SeriesRows > 0 ? PackedPlan.View(outputs.Series) : default;
        long recordWidth = (long)outputs.SeriesRows * outputs.SeriesFields;
        var block = _block;
        int next = -1;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        // Workers take whole blocks in order; each block is simulated by one thread, path by path.
        void Worker()
        {
            try
            {
                var scratch = new Scratch(packed, series: outputs.SeriesRows > 0);
                using var stop = cancellation.Register(scratch.Cancel); // read by the path every few thousand steps
                int b;
                while (failure is null && !cancellation.IsCancellationRequested
                       && (b = Interlocked.Increment(ref next)) < blocks)
                {
                    int from = b * blockSize, end = Math.Min(count, from + blockSize);
                    var cohorts = new CohortTotals(packed.Layout.Cohorts);
                    for (int row = from; row < end; row++)
                    {
                        if (cancellation.IsCancellationRequested) return;
                        // The record goes straight to the path's rows of the outputs (contiguous, path-major).
                        scratch.Path.Run((ulong)(start + row), block.Slots(row), records.Slice(row * recordWidth));
                        if (cancellation.IsCancellationRequested) return; // the path may have stopped early: the block is incomplete
                        scratch.AddTo(cohorts);
                    }
                    outputs.BlockCohorts[b] = cohorts;
                    block.CopyTo(plan, start + from, from, end, outputs, from, Name);
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
        var packed = Packed(plan);
        int cohorts = packed.Layout.Cohorts;
        int chunks = (paths.Count + chunk - 1) / chunk;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            () => (Scratch: new Scratch(packed), Output: new OutputBlock(1, plan.AssetCount), Row: new PathOutputs(1, plan.AssetCount)),
            (k, _, worker) =>
            {
                var totals = new CohortTotals(cohorts);
                for (int i = k * chunk; i < Math.Min(paths.Count, (k + 1) * chunk); i++)
                {
                    worker.Scratch.Path.Run((ulong)paths[i], worker.Output.Slots(0));
                    worker.Output.CopyTo(plan, paths[i], 0, 1, worker.Row, 0, Name); // a failed path's error, as in the run
                    worker.Scratch.AddTo(totals);
                }
                partial[k] = totals.BadDebt;
                return worker;
            },
            _ => { });
        var total = new double[cohorts];
        foreach (var sums in partial)
            for (int c = 0; c < total.Length; c++) total[c] += sums[c];
        return total;
    }

    /// <summary>The packed form of <paramref name="plan"/>, kept for the plan's next batch.</summary>
    private PackedPlan Packed(SimulationPlan plan)
    {
        if (!ReferenceEquals(_packed?.Plan, plan)) _packed = new PackedPlan(plan, Screening, cancellable: true);
        return _packed;
    }

    /// <summary>One worker's path state (pinned, contiguous: stride 1) and the model running over it.</summary>
    private sealed class Scratch
    {
        private readonly PlanLayout _layout;
        private readonly double[] _reals;
        private readonly int[] _ints;

        public Scratch(PackedPlan packed, bool series = false)
        {
            _layout = packed.Layout;
            _layout.Series = series ? 1 : 0;
            _reals = GC.AllocateUninitializedArray<double>(Math.Max(1, _layout.RealSlots), pinned: true);
            _ints = GC.AllocateUninitializedArray<int>(Math.Max(1, _layout.IntSlots), pinned: true);
            _ints[_layout.CancelSlot] = 0;
            Path = new CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision>(
                _layout, PackedPlan.View(packed.Reals), PackedPlan.View(packed.Ints),
                new PathSlots<HostArray<double>, HostArray<int>>(PackedPlan.View(_reals), PackedPlan.View(_ints)));
        }

        /// <summary>Asks the path running on this scratch to stop (from the cancellation's thread).</summary>
        public void Cancel() => Volatile.Write(ref _ints[_layout.CancelSlot], 1);

        /// <summary>The model over this scratch (a field: Run mutates the struct in place).</summary>
        public CascadePath<HostArray<double>, HostArray<int>, HostArray<double>, HostArray<int>, DoublePrecision> Path;

        /// <summary>
        /// Adds the path just simulated to per-cohort totals: the cohorts it liquidated are exactly those whose state it
        /// wrote (the modified bit set), with their liquidated notional and bad debt in their state slots.
        /// </summary>
        public void AddTo(CohortTotals totals)
        {
            int cohorts = _layout.Cohorts;
            for (int w = 0; w < PathState.ModifiedWords(cohorts); w++)
            {
                uint bits = (uint)_ints[_layout.ModifiedSlot + w];
                while (bits != 0)
                {
                    int c = 32 * w + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    totals.Add(c, _reals[_layout.CohortRealSlot + PathState.LiquidatedNotional * cohorts + c],
                        _reals[_layout.CohortRealSlot + PathState.BadDebt * cohorts + c]);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
