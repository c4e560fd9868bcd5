using GpuCascade.Kernels;

namespace GpuCascade.Paths;

/// <summary>
/// The path model's outputs for a batch as it writes them, struct-of-arrays (slot x stride + row, see
/// <see cref="PathOutput"/>), and their copy into <see cref="PathOutputs"/>. Every backend goes through here, so a
/// failed path gives the same error whichever device ran it.
/// </summary>
internal sealed class OutputBlock
{
    /// <summary>An empty block for up to <paramref name="stride"/> paths of <paramref name="assets"/> assets, with
    /// <paramref name="seriesRows"/> rows of each path's record (<see cref="PathSeries"/>; 0: none).</summary>
    public OutputBlock(int stride, int assets, int seriesRows = 0)
    {
        Stride = stride;
        Assets = assets;
        SeriesRows = seriesRows;
        // checked: a batch whose outputs exceed an array's 2^31 elements is refused here, not silently cut short.
        Reals = GC.AllocateUninitializedArray<double>(Math.Max(1, checked(PathOutput.RealSlots(assets) * stride)), pinned: true);
        Series = GC.AllocateUninitializedArray<double>(Math.Max(1, checked(seriesRows * PathSeries.Fields(assets) * stride)), pinned: true);
        Ints = GC.AllocateUninitializedArray<int>(Math.Max(1, checked(PathOutput.IntFields * stride)), pinned: true);
    }

    /// <summary>Rows of each path's record (a device's records, slot x stride + row; the managed backend writes its paths'
    /// records straight into <see cref="PathOutputs.Series"/>).</summary>
    public int SeriesRows { get; }

    /// <summary>Rows per slot.</summary>
    public int Stride { get; }
    /// <summary>Assets per path.</summary>
    public int Assets { get; }
    /// <summary>Real slots (pinned).</summary>
    public double[] Reals { get; }
    /// <summary>Records (pinned): <see cref="SeriesRows"/> x PathSeries.Fields slots.</summary>
    public double[] Series { get; }
    /// <summary>Integer slots (pinned).</summary>
    public int[] Ints { get; }

    /// <summary>The slots of row <paramref name="row"/>, for the model running natively.</summary>
    public PathSlots<Strided<HostArray<double>, double>, Strided<HostArray<int>, int>> Slots(int row) =>
        new(new(PackedPlan.View(Reals), Stride, row), new(PackedPlan.View(Ints), Stride, row));

    /// <summary>
    /// Copies rows [<paramref name="from"/>, <paramref name="to"/>) to <paramref name="outputs"/> at rows
    /// <paramref name="target"/> + (row - from). A path whose price ran away is copied like any other (its
    /// <c>runaway</c> output is 1: docs/model.md section 8.7); the first such path is described in
    /// <see cref="PathOutputs.RunawayText"/>.
    /// </summary>
    public void CopyTo(SimulationPlan plan, long firstPath, int from, int to, PathOutputs outputs, int target, string backend)
    {
        int n = Assets, stride = Stride;
        ReadOnlySpan<double> R(int slot) => Reals.AsSpan(slot * stride + from, to - from);
        ReadOnlySpan<int> I(int slot) => Ints.AsSpan(slot * stride + from, to - from);
        var flags = I(PathOutput.Flags);
        for (int p = 0; p < flags.Length; p++)
            if ((flags[p] & PathOutput.RunawayFlags) != 0)
            {
                outputs.RunawayText[firstPath + p] = Runaway(plan, firstPath + p, from + p, flags[p], backend);
                break;
            }

        int count = to - from;
        foreach (var row in OutputSchema.Rows)
            for (int i = 0; i < row.Width(n); i++) R(row.KernelSlot(n, i)).CopyTo(outputs.Span(row, i).Slice(target, count));
        if (SeriesRows > 0)
        {
            // A device's records, transposed from slot-major (coalesced there) to path-major (read path by path).
            if (outputs.SeriesRows != SeriesRows) throw new InvalidOperationException($"{SeriesRows} record rows, the outputs want {outputs.SeriesRows}");
            int fields = outputs.SeriesFields, width = SeriesRows * fields;
            var series = outputs.Series;
            const int tile = 16; // fields per pass: 16 read streams, and each path's 16 values in two cache lines
            for (int k0 = 0; k0 < width; k0 += tile)
            {
                int k1 = Math.Min(width, k0 + tile);
                for (int p = 0; p < count; p++)
                {
                    long row = (long)(target + p) * width;
                    for (int k = k0; k < k1; k++) series[row + k] = Series[(long)k * stride + from + p];
                }
            }
        }
    }

    /// <summary>Where and why a path ran away, in words (the run's warning names the first one).</summary>
    private string Runaway(SimulationPlan plan, long path, int row, int flags, string backend)
    {
        int step = Ints[PathOutput.FailStep * Stride + row], asset = Ints[PathOutput.FailAsset * Stride + row];
        double logPrice = Reals[PathOutput.FailLogPrice * Stride + row], flow = Reals[PathOutput.FailFlow * Stride + row];
        string on = backend == "managed" ? "" : $" on {backend}";
        string where = $"path {path}, step {step}: the price of {plan.Symbols[asset]}";
        return (flags & PathOutput.ExogenousFailureFlag) != 0
            ? $"{where} left the representable range (log price {logPrice:G6}) after its exogenous move{on}; check assets[{asset}] and the market settings"
            : $"{where} {((flags & PathOutput.FlowFailureFlag) != 0 ? "left the representable range" : "passed the runaway bound")} " +
              $"(log price {logPrice:G6}) after a flow of {flow:G4} USD{on}; assets[{asset}]: the market is far too shallow for the book " +
              "(raise its depth or volume, or add a liquidation capacity or returning liquidity)";
    }
}
