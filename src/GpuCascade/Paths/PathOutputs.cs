using GpuCascade.Kernels;

namespace GpuCascade.Paths;

/// <summary>
/// What each path of a batch reports (docs/model.md section 6): a slot matrix with one column per output of the schema
/// (<see cref="OutputSchema"/>; per asset, one per asset), read by row (<c>outputs[OutputSchema.BadDebt][p]</c>,
/// <c>outputs["adl.lossAbsorbed"][p]</c>) or by the typed views of the core outputs (<c>outputs.BadDebt[p]</c>). Row p is
/// the path <c>Start + p</c>. Backends fill it; the statistics read it. Money is in USD and always double.
/// </summary>
public sealed class PathOutputs
{
    /// <summary>Paths per statistics block (rows [b x 1,024, (b + 1) x 1,024) of a batch): the engine folds the outputs
    /// block by block, and a backend reports each block done; a constant of the engine, not of the batch.</summary>
    public const int BlockSize = 1024;

    /// <summary>Allocates outputs for up to <paramref name="capacity"/> paths; with <paramref name="seriesRows"/> &gt; 0 the
    /// backends also record each path's state at the start and after every step (<see cref="Series"/>).</summary>
    public PathOutputs(int capacity, int assetCount, int seriesRows = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seriesRows);
        Capacity = capacity;
        AssetCount = assetCount;
        SeriesRows = seriesRows;
        SeriesFields = seriesRows > 0 ? Kernels.PathSeries.Fields(assetCount) : 0;
        // Pinned: the managed backend's paths write their records here directly.
        Series = seriesRows > 0 ? GC.AllocateUninitializedArray<double>(checked(capacity * seriesRows * SeriesFields), pinned: true) : [];
        (_first, Columns) = OutputSchema.Layout(assetCount);
        Values = new double[checked(Columns * capacity)];
        BlockCohorts = new Statistics.CohortTotals?[(capacity + PathOutputs.BlockSize - 1) / PathOutputs.BlockSize];
    }

    /// <summary>
    /// Per statistics block of the batch (rows [b x 1,024, (b + 1) x 1,024)), the per-cohort totals of its paths
    /// (attribution), filled by the backend before it reports the block done; null where a backend does not record them.
    /// </summary>
    internal Statistics.CohortTotals?[] BlockCohorts { get; }

    /// <summary>Rows of each path's record (steps + 1: the start, then every step's end); 0 when not recorded.</summary>
    public int SeriesRows { get; }
    /// <summary>Fields of a record row (<see cref="Kernels.PathSeries"/>): fund, uncovered loss before ADL, then per asset
    /// (field x N + asset) the relative mid and exogenous price, the cumulative liquidated notional, the step's lowest depth
    /// factor and the queued notional.</summary>
    public int SeriesFields { get; }
    /// <summary>Each path's record (docs/model.md section 8.5), path-major: row r of path p, field f at
    /// <c>[(p x SeriesRows + r) x SeriesFields + f]</c>. Empty when <see cref="SeriesRows"/> is 0.</summary>
    public double[] Series { get; }

    /// <summary>Paths the arrays can hold.</summary>
    public int Capacity { get; }
    /// <summary>Assets per path.</summary>
    public int AssetCount { get; }
    /// <summary>First path index held.</summary>
    public long Start { get; set; }
    /// <summary>Paths held.</summary>
    public int Count { get; set; }

    /// <summary>Where and why a path ran away, in words, by path index: the first runaway path of each block copied here
    /// (the first of a run is the first of its block); read and removed by the accumulator (docs/model.md section 8.7).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<long, string> RunawayText { get; } = new();

    private readonly int[] _first;

    /// <summary>Columns of <see cref="Values"/>: one per per-path row of <see cref="OutputSchema.Rows"/>, one per asset of a
    /// per-asset row.</summary>
    public int Columns { get; }

    /// <summary>The outputs as a slot matrix, column by column (<see cref="OutputSchema.Rows"/> in order, a per-asset row
    /// asset by asset): path row p of column c at <c>[c x Capacity + p]</c>. Counts and flags are whole numbers.</summary>
    public double[] Values { get; }

    /// <summary>The column of <paramref name="row"/> (of asset <paramref name="asset"/> for a per-asset row).</summary>
    public int ColumnOf(OutputRow row, int asset = 0)
    {
        ArgumentNullException.ThrowIfNull(row);
        if ((uint)asset >= (uint)row.Width(AssetCount))
            throw new ArgumentOutOfRangeException(nameof(asset), asset, $"{row.Key}: asset out of range");
        return _first[OutputSchema.IndexOf(row)] + asset;
    }

    /// <summary>Every held path's value of <paramref name="row"/> for asset <paramref name="asset"/> (a per-path row: asset 0),
    /// rows [0, <see cref="Capacity"/>).</summary>
    public Span<double> Span(OutputRow row, int asset = 0) => Values.AsSpan(ColumnOf(row, asset) * Capacity, Capacity);

    /// <summary>The output <paramref name="row"/>: per path, or per asset path-major (<c>[p x AssetCount + i]</c>).</summary>
    public OutputColumn this[OutputRow row] =>
        new(Values, ColumnOf(row), row.Width(AssetCount), Capacity);

    /// <summary>The output called <paramref name="key"/> (<c>outputs["adl.lossAbsorbed"][p]</c>; <see cref="OutputSchema.Row"/>).</summary>
    public OutputColumn this[string key] => this[OutputSchema.Row(key)];

    /// <summary>Bad debt: negative equity of closed cohorts, summed over the path.</summary>
    public OutputColumn BadDebt => this[OutputSchema.BadDebt];
    /// <summary>Bad debt the insurance fund could not pay and auto-deleveraging did not absorb.</summary>
    public OutputColumn UncoveredLoss => this[OutputSchema.UncoveredLoss];
    /// <summary>Uncovered loss before auto-deleveraging (equal to <see cref="UncoveredLoss"/> without ADL): the fund was
    /// depleted when it is positive.</summary>
    public OutputColumn UncoveredBeforeAdl => this[OutputSchema.UncoveredBeforeAdl];
    /// <summary>Bad debt the fund paid.</summary>
    public OutputColumn BadDebtPaid => this[OutputSchema.BadDebtPaid];
    /// <summary>Liquidation penalties paid into the fund.</summary>
    public OutputColumn Penalties => this[OutputSchema.Penalties];
    /// <summary>Insurance fund at the end of the path.</summary>
    public OutputColumn FundEnd => this[OutputSchema.FundEnd];
    /// <summary>Lowest insurance fund over the path.</summary>
    public OutputColumn FundMin => this[OutputSchema.FundMin];
    /// <summary>Position notional closed by liquidations, at execution prices.</summary>
    public OutputColumn LiquidatedNotional => this[OutputSchema.LiquidatedNotional];
    /// <summary>Largest number of liquidation rounds in one step.</summary>
    public OutputColumn MaxRoundsInStep => this[OutputSchema.MaxRoundsInStep];
    /// <summary>1 where some step still had liquidations pending at the round cap, else 0.</summary>
    public OutputColumn RoundCapHit => this[OutputSchema.RoundCapHit];

    /// <summary>1 for a path whose price ran away (docs/model.md section 8.7), else 0.</summary>
    public OutputColumn Runaway => this[OutputSchema.Runaway];
    /// <summary>1 where |liquidation-driven displacement| reached the cascade threshold for some asset, else 0.</summary>
    public OutputColumn Cascade => this[OutputSchema.Cascade];
    /// <summary>Largest share, over assets, of the book's units closed on the path (at most 1).</summary>
    public OutputColumn ClosedUnitsShare => this[OutputSchema.ClosedUnitsShare];
    /// <summary>Liquidated notional per asset (path-major).</summary>
    public OutputColumn LiquidatedNotionalByAsset => this[OutputSchema.LiquidatedByAsset];
    /// <summary>1 - min(mid) / p0 per asset (mid after every exogenous move and every round; path-major).</summary>
    public OutputColumn MaxDrawdown => this[OutputSchema.MaxDrawdown];
    /// <summary>1 - min(exogenous price) / p0 per asset, the exogenous price being exp(x) without any impact (path-major).</summary>
    public OutputColumn ExogenousMaxDrawdown => this[OutputSchema.ExogenousMaxDrawdown];
    /// <summary>Largest |liquidation-driven log displacement| per asset (path-major).</summary>
    public OutputColumn MaxDisplacement => this[OutputSchema.MaxDisplacement];
    /// <summary>Mid price at the end of the path per asset (path-major).</summary>
    public OutputColumn FinalPrice => this[OutputSchema.FinalPrice];
    /// <summary>Lowest depth factor u g of the path per asset (docs/model.md sections 8.1, 8.4): 1 with constant, known depth
    /// (path-major).</summary>
    public OutputColumn MinDepthFactor => this[OutputSchema.MinDepthFactor];

    /// <summary>
    /// Work, not risk: margin checks of a cohort (equity against requirement) the path performed. Exact screening
    /// (docs/model.md) skips the cohorts it proves healthy, so this is usually far below steps x cohorts; every backend
    /// screens alike, so it is the same number on each.
    /// </summary>
    public OutputColumn MarginChecks => this[OutputSchema.MarginChecks];
    /// <summary>Work, not risk: liquidations performed on the path, one per cohort and round (a cohort partly
    /// liquidated in three rounds counts three).</summary>
    public OutputColumn CohortLiquidations => this[OutputSchema.CohortLiquidations];

    /// <summary>Copies rows [<paramref name="from"/>, +<paramref name="count"/>) of <paramref name="source"/> to rows from <paramref name="to"/>.</summary>
    public void CopyRowsFrom(PathOutputs source, int from, int to, int count)
    {
        if (source.AssetCount != AssetCount) throw new ArgumentException("different asset counts", nameof(source));
        for (int c = 0; c < Columns; c++) Array.Copy(source.Values, c * source.Capacity + from, Values, c * Capacity + to, count);
        if (source.SeriesRows != SeriesRows) throw new ArgumentException("different series rows", nameof(source));
        if (SeriesRows > 0)
        {
            int width = SeriesRows * SeriesFields;
            Array.Copy(source.Series, (long)from * width, Series, (long)to * width, (long)count * width);
        }
        // Whole blocks only (every backend starts and ends its work on block boundaries, but the batch's last block).
        foreach (var (path, text) in source.RunawayText) RunawayText[path] = text; // keyed by path index, whichever rows hold it
        int block = PathOutputs.BlockSize;
        if (from % block == 0 && to % block == 0)
            for (int b = 0; b < (count + block - 1) / block; b++)
                BlockCohorts[to / block + b] = source.BlockCohorts[from / block + b];
    }

    /// <summary>Whether the path in row <paramref name="p"/> had any liquidation.</summary>
    public bool AnyLiquidation(int p) => Span(OutputSchema.AnyLiquidation)[p] != 0;
}
