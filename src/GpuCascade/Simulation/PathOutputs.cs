namespace GpuCascade.Simulation;

/// <summary>
/// What each path of a batch reports (docs/model.md section 6), as a struct of arrays. Index p is the path
/// <c>Start + p</c>; per-asset arrays are path-major (<c>[p * AssetCount + i]</c>). Backends fill it; the
/// statistics read it. Money is in USD and always double.
/// </summary>
public sealed class PathOutputs
{
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
        BadDebt = new double[capacity];
        UncoveredLoss = new double[capacity];
        UncoveredBeforeAdl = new double[capacity];
        AdlAbsorbed = new double[capacity];
        AdlNotional = new double[capacity];
        QueueMaxNotional = new double[capacity];
        QueueSteps = new double[capacity];
        BadDebtPaid = new double[capacity];
        Penalties = new double[capacity];
        FundEnd = new double[capacity];
        FundMin = new double[capacity];
        LiquidatedNotional = new double[capacity];
        MaxRoundsInStep = new int[capacity];
        RoundCapHit = new bool[capacity];
        Cascade = new bool[capacity];
        ClosedUnitsShare = new double[capacity];
        LiquidatedNotionalByAsset = new double[capacity * assetCount];
        MaxDrawdown = new double[capacity * assetCount];
        ExogenousMaxDrawdown = new double[capacity * assetCount];
        MaxDisplacement = new double[capacity * assetCount];
        FinalPrice = new double[capacity * assetCount];
        MinDepthFactor = new double[capacity * assetCount];
        MarginChecks = new long[capacity];
        CohortLiquidations = new long[capacity];
        BlockCohorts = new Statistics.CohortTotals?[(capacity + SimulationEngine.BlockSize - 1) / SimulationEngine.BlockSize];
    }

    /// <summary>
    /// Per statistics block of the batch (rows [b x 1,024, (b + 1) x 1,024)), the per-cohort totals of its paths
    /// (attribution), filled by the backend before it reports the block done; null where a backend does not record them.
    /// </summary>
    public Statistics.CohortTotals?[] BlockCohorts { get; }

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

    /// <summary>Bad debt: negative equity of closed cohorts, summed over the path.</summary>
    public double[] BadDebt { get; }
    /// <summary>Bad debt the insurance fund could not pay (socialised by auto-deleveraging).</summary>
    public double[] UncoveredLoss { get; }
    /// <summary>Uncovered loss before auto-deleveraging (equal to <see cref="UncoveredLoss"/> without ADL): the fund was
    /// depleted when it is positive.</summary>
    public double[] UncoveredBeforeAdl { get; }
    /// <summary>Loss absorbed by auto-deleveraging (docs/model.md section 8.3).</summary>
    public double[] AdlAbsorbed { get; }
    /// <summary>Notional closed by auto-deleveraging, at the mid.</summary>
    public double[] AdlNotional { get; }
    /// <summary>Largest position notional (at the mid) waiting for the liquidation engine at a step's end (docs/model.md section 8.2).</summary>
    public double[] QueueMaxNotional { get; }
    /// <summary>Steps that ended with a queue.</summary>
    public double[] QueueSteps { get; }
    /// <summary>Bad debt the fund paid.</summary>
    public double[] BadDebtPaid { get; }
    /// <summary>Liquidation penalties paid into the fund.</summary>
    public double[] Penalties { get; }
    /// <summary>Insurance fund at the end of the path.</summary>
    public double[] FundEnd { get; }
    /// <summary>Lowest insurance fund over the path.</summary>
    public double[] FundMin { get; }
    /// <summary>Position notional closed by liquidations, at execution prices.</summary>
    public double[] LiquidatedNotional { get; }
    /// <summary>Largest number of liquidation rounds in one step.</summary>
    public int[] MaxRoundsInStep { get; }
    /// <summary>Whether some step still had liquidations pending at the round cap.</summary>
    public bool[] RoundCapHit { get; }
    /// <summary>Whether |liquidation-driven displacement| reached the cascade threshold for some asset.</summary>
    public bool[] Cascade { get; }
    /// <summary>Largest share, over assets, of the book's units closed on the path (at most 1).</summary>
    public double[] ClosedUnitsShare { get; }
    /// <summary>Liquidated notional per asset.</summary>
    public double[] LiquidatedNotionalByAsset { get; }
    /// <summary>1 - min(mid) / p0 per asset (mid after every exogenous move and every round).</summary>
    public double[] MaxDrawdown { get; }
    /// <summary>1 - min(exogenous price) / p0 per asset, the exogenous price being exp(x) without any impact.</summary>
    public double[] ExogenousMaxDrawdown { get; }
    /// <summary>Largest |liquidation-driven log displacement| per asset.</summary>
    public double[] MaxDisplacement { get; }
    /// <summary>Mid price at the end of the path per asset.</summary>
    public double[] FinalPrice { get; }
    /// <summary>Lowest depth factor u g of the path per asset (docs/model.md sections 8.1, 8.4): 1 with constant, known depth.</summary>
    public double[] MinDepthFactor { get; }

    /// <summary>
    /// Work, not risk: margin checks of a cohort (equity against requirement) the path performed. Exact screening
    /// (docs/model.md) skips the cohorts it proves healthy, so this is usually far below steps x cohorts; every backend
    /// screens alike, so it is the same number on each.
    /// </summary>
    public long[] MarginChecks { get; }
    /// <summary>Work, not risk: liquidations performed on the path, one per cohort and round (a cohort partly
    /// liquidated in three rounds counts three).</summary>
    public long[] CohortLiquidations { get; }

    /// <summary>Copies rows [<paramref name="from"/>, +<paramref name="count"/>) of <paramref name="source"/> to rows from <paramref name="to"/>.</summary>
    public void CopyRowsFrom(PathOutputs source, int from, int to, int count)
    {
        if (source.AssetCount != AssetCount) throw new ArgumentException("different asset counts", nameof(source));
        void Rows<T>(T[] s, T[] t, int width) => Array.Copy(s, from * width, t, to * width, count * width);
        Rows(source.BadDebt, BadDebt, 1);
        Rows(source.UncoveredLoss, UncoveredLoss, 1);
        Rows(source.UncoveredBeforeAdl, UncoveredBeforeAdl, 1);
        Rows(source.AdlAbsorbed, AdlAbsorbed, 1);
        Rows(source.AdlNotional, AdlNotional, 1);
        Rows(source.QueueMaxNotional, QueueMaxNotional, 1);
        Rows(source.QueueSteps, QueueSteps, 1);
        Rows(source.BadDebtPaid, BadDebtPaid, 1);
        Rows(source.Penalties, Penalties, 1);
        Rows(source.FundEnd, FundEnd, 1);
        Rows(source.FundMin, FundMin, 1);
        Rows(source.LiquidatedNotional, LiquidatedNotional, 1);
        Rows(source.MaxRoundsInStep, MaxRoundsInStep, 1);
        Rows(source.RoundCapHit, RoundCapHit, 1);
        Rows(source.Cascade, Cascade, 1);
        Rows(source.ClosedUnitsShare, ClosedUnitsShare, 1);
        Rows(source.LiquidatedNotionalByAsset, LiquidatedNotionalByAsset, AssetCount);
        Rows(source.MaxDrawdown, MaxDrawdown, AssetCount);
        Rows(source.ExogenousMaxDrawdown, ExogenousMaxDrawdown, AssetCount);
        Rows(source.MaxDisplacement, MaxDisplacement, AssetCount);
        Rows(source.FinalPrice, FinalPrice, AssetCount);
        Rows(source.MinDepthFactor, MinDepthFactor, AssetCount);
        Rows(source.MarginChecks, MarginChecks, 1);
        Rows(source.CohortLiquidations, CohortLiquidations, 1);
        if (source.SeriesRows != SeriesRows) throw new ArgumentException("different series rows", nameof(source));
        if (SeriesRows > 0) Rows(source.Series, Series, SeriesRows * SeriesFields);
        // Whole blocks only (every backend starts and ends its work on block boundaries, but the batch's last block).
        int block = SimulationEngine.BlockSize;
        if (from % block == 0 && to % block == 0)
            for (int b = 0; b < (count + block - 1) / block; b++)
                BlockCohorts[to / block + b] = source.BlockCohorts[from / block + b];
    }

    /// <summary>Whether the path had any liquidation.</summary>
    public bool AnyLiquidation(int p) => LiquidatedNotional[p] > 0 || MaxRoundsInStep[p] > 0;
}
