using GpuCascade.Market;
using ILGPU;

namespace GpuCascade.Kernels;

/// <summary>
/// Everything one launch of the path kernel reads and writes: the plan, the batch's state block (slot x stride +
/// lane, stride = the launch's path count) and its output block (the same shape).
/// </summary>
public struct PathLaunch
{
    /// <summary>The plan's scalars and offsets.</summary>
    public PlanLayout Layout;
    /// <summary>The plan's packed reals and integers.</summary>
    public ArrayView<double> PlanReals;
    /// <summary>The plan's packed integers.</summary>
    public ArrayView<int> PlanInts;
    /// <summary>State: Layout.RealSlots x Count reals.</summary>
    public ArrayView<double> StateReals;
    /// <summary>State: Layout.IntSlots x Count integers.</summary>
    public ArrayView<int> StateInts;
    /// <summary>Outputs: PathOutput.RealSlots(N) x Count reals.</summary>
    public ArrayView<double> OutReals;
    /// <summary>Outputs: PathOutput.IntFields x Count integers.</summary>
    public ArrayView<int> OutInts;
    /// <summary>Records (with Layout.Series): PathSeries.Fields(N) x rows x Count reals, [slot][path]; else one unused real.</summary>
    public ArrayView<double> SeriesReals;
    /// <summary>Index of the launch's first path.</summary>
    public long Start;
    /// <summary>Paths in the launch (the stride of the state and output blocks).</summary>
    public int Count;
}

/// <summary>What the per-cohort totals kernel reads (a launch's state block) and writes ([block][field][cohort]).</summary>
public struct CohortTotalsLaunch
{
    /// <summary>The plan's scalars and the state's slots.</summary>
    public PlanLayout Layout;
    /// <summary>The launch's state: Layout.RealSlots x Count reals.</summary>
    public ArrayView<double> StateReals;
    /// <summary>The launch's state: Layout.IntSlots x Count integers.</summary>
    public ArrayView<int> StateInts;
    /// <summary>Per statistics block, three rows of Layout.Cohorts: paths liquidated, notional liquidated, bad debt.</summary>
    public ArrayView<double> Totals;
    /// <summary>Paths in the launch (the state's stride).</summary>
    public int Count;
    /// <summary>Paths per statistics block (GpuCascade's SimulationEngine.BlockSize).</summary>
    public int BlockSize;
}

/// <summary>
/// The ILGPU entry points: one thread per path runs <see cref="CascadePath{TD,TI,TSD,TSI,TP}"/> over device views. The
/// managed backend runs the same model natively (GpuCascade's <c>ManagedBackend</c>), so the two cannot drift apart.
/// </summary>
public static class PathKernels
{
    /// <summary>The path kernel in double precision (the reference).</summary>
    public static void SimulateDouble(Index1D index, PathLaunch launch) => Simulate<DoublePrecision>(index, launch);

    /// <summary>The path kernel with single-precision market state (the fast mode).</summary>
    public static void SimulateSingle(Index1D index, PathLaunch launch) => Simulate<SinglePrecision>(index, launch);

    private static void Simulate<TP>(Index1D index, PathLaunch launch) where TP : struct, IPrecision
    {
        int p = index.X;
        if (p >= launch.Count) return;
        var state = new PathSlots<Strided<DeviceArray<double>, double>, Strided<DeviceArray<int>, int>>(
            new(new DeviceArray<double>(launch.StateReals), launch.Count, p), new(new DeviceArray<int>(launch.StateInts), launch.Count, p));
        var output = new PathSlots<Strided<DeviceArray<double>, double>, Strided<DeviceArray<int>, int>>(
            new(new DeviceArray<double>(launch.OutReals), launch.Count, p), new(new DeviceArray<int>(launch.OutInts), launch.Count, p));
        var path = new CascadePath<DeviceArray<double>, DeviceArray<int>, Strided<DeviceArray<double>, double>, Strided<DeviceArray<int>, int>, TP>(
            launch.Layout, new DeviceArray<double>(launch.PlanReals), new DeviceArray<int>(launch.PlanInts), state);
        path.Run((ulong)(launch.Start + p), output, new Strided<DeviceArray<double>, double>(new DeviceArray<double>(launch.SeriesReals), launch.Count, p));
    }

    /// <summary>
    /// Per-cohort totals of one statistics block after the path kernel (one thread per cohort and block): the paths of
    /// the block that liquidated the cohort (its bit in the modified set), with their liquidated notional and bad debt,
    /// summed in path order, as the managed backend sums them, so the totals are the same to the bit.
    /// </summary>
    public static void CohortBlockTotals(Index2D index, CohortTotalsLaunch launch)
    {
        int c = index.X, block = index.Y;
        int cohorts = launch.Layout.Cohorts;
        long stride = launch.Count;
        int from = block * launch.BlockSize, to = Math.Min(launch.Count, from + launch.BlockSize);
        long word = (launch.Layout.ModifiedSlot + (c >> 5)) * stride;
        long notionalSlot = (launch.Layout.CohortRealSlot + PathState.LiquidatedNotional * (long)cohorts + c) * stride;
        long badDebtSlot = (launch.Layout.CohortRealSlot + PathState.BadDebt * (long)cohorts + c) * stride;
        double paths = 0, notional = 0, badDebt = 0;
        for (int p = from; p < to; p++)
        {
            if (((launch.StateInts[word + p] >> (c & 31)) & 1) == 0) continue;
            paths += 1;
            notional += launch.StateReals[notionalSlot + p];
            badDebt += launch.StateReals[badDebtSlot + p];
        }
        long o = 3L * block * cohorts + c;
        launch.Totals[o] = paths;
        launch.Totals[o + cohorts] = notional;
        launch.Totals[o + 2L * cohorts] = badDebt;
    }

    /// <summary>Known answers of the generator on a device: output[4i..4i+3] = Philox4x32-10(counter
    /// input[6i..6i+3], key input[6i+4..6i+5]).</summary>
    public static void PhiloxKnownAnswers(Index1D index, ArrayView<uint> input, ArrayView<uint> output)
    {
        int i = index.X;
        Philox4x32.Generate(input[6 * i], input[6 * i + 1], input[6 * i + 2], input[6 * i + 3], input[6 * i + 4], input[6 * i + 5],
            out uint r0, out uint r1, out uint r2, out uint r3);
        output[4 * i] = r0;
        output[4 * i + 1] = r1;
        output[4 * i + 2] = r2;
        output[4 * i + 3] = r3;
    }

    /// <summary>Contraction probe: output[i] = a[i] x b[i] + c[i], which must round twice (no fused multiply-add) for
    /// a device to match the managed reference bit for bit.</summary>
    public static void ContractionProbe(Index1D index, ArrayView<double> a, ArrayView<double> b, ArrayView<double> c, ArrayView<double> output)
    {
        int i = index.X;
        output[i] = a[i] * b[i] + c[i];
    }
}
