using GpuCascade.Kernels;
using GpuCascade.Statistics;

namespace GpuCascade.Paths;

/// <summary>The figures of the outputs over time (docs/model.md section 8.5), in the order of <see cref="SeriesAccumulator"/>'s cells.</summary>
public enum SeriesMetric
{
    /// <summary>The traded price (mid) relative to the start.</summary>
    Price,
    /// <summary>The exogenous price relative to the start (without any impact).</summary>
    ExogenousPrice,
    /// <summary>Position notional liquidated in the step, at execution prices (row 0: the opening round's).</summary>
    LiquidatedNotional,
    /// <summary>1 when some cohort was liquidated in the asset in the step, else 0 (its mean is the probability).</summary>
    PLiquidation,
    /// <summary>The step's lowest depth factor u g (1 with constant, known depth).</summary>
    DepthFactor,
    /// <summary>Position notional waiting for the liquidation engine at the step's end (0 without a capacity).</summary>
    QueuedNotional,
    /// <summary>The insurance fund at the step's end (per path, not per asset).</summary>
    Fund,
    /// <summary>1 once the fund has failed to pay some bad debt (per path; its mean is the probability).</summary>
    PFundDepleted,
}

/// <summary>
/// The outputs over time (docs/model.md section 8.5), for a block of paths or a whole run: for every row (the start, then the end of
/// every step) the moments of each <see cref="SeriesMetric"/>, and for the two prices of every asset a histogram on
/// <see cref="PriceBins"/> in which every bin keeps its count and the exact minimum and maximum it received. Memory is fixed
/// by the rows, assets and bins, whatever the paths. Like <see cref="RiskAccumulator"/>, the moments are folded in path
/// order and merged segment by segment (<see cref="MergeMoments"/>), the histograms in any order (<see cref="MergeCounts"/>).
/// </summary>
internal sealed class SeriesAccumulator
{
    /// <summary>Per-asset metrics per row, then the two per-path ones.</summary>
    private const int AssetMetrics = 6, PathMetrics = 2;

    /// <summary>An empty accumulator for <paramref name="rows"/> rows (steps + 1) of <paramref name="assets"/> assets.</summary>
    public SeriesAccumulator(int assets, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(assets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        AssetCount = assets;
        Rows = rows;
        Cells = AssetMetrics * assets + PathMetrics;
        Means = new Moments[checked(rows * Cells)];
        Bins = new PriceBin[checked((long)rows * assets * 2 * PriceBins.Count)];
        Array.Fill(Bins, PriceBin.Empty);
    }

    /// <summary>A bin: its count and the exact extremes of what it received (one cache line holds two and a half).</summary>
    private struct PriceBin
    {
        public long Count;
        public double Min, Max;
        public static readonly PriceBin Empty = new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };
    }

    /// <summary>Assets.</summary>
    public int AssetCount { get; }
    /// <summary>Rows: the start and the end of every step.</summary>
    public int Rows { get; }
    /// <summary>Moment cells per row.</summary>
    private int Cells { get; }
    /// <summary>Paths summarised.</summary>
    public long Paths { get; private set; }

    private readonly Moments[] Means;
    private readonly PriceBin[] Bins;

    /// <summary>Bytes an accumulator of this shape holds (for the run's memory estimate).</summary>
    public static long BytesFor(long assets, long rows) =>
        rows * (AssetMetrics * assets + PathMetrics) * 24 + rows * assets * 2 * PriceBins.Count * 24;

    /// <summary>The moments of <paramref name="metric"/> at row <paramref name="row"/> (asset ignored for the per-path
    /// metrics).</summary>
    public Moments Moments(int row, SeriesMetric metric, int asset = 0) => Means[row * Cells + Cell(metric, asset)];

    private int Cell(SeriesMetric metric, int asset) => metric switch
    {
        SeriesMetric.Fund => AssetMetrics * AssetCount,
        SeriesMetric.PFundDepleted => AssetMetrics * AssetCount + 1,
        _ => (int)metric * AssetCount + asset,
    };

    private long HistogramStart(int row, int asset, SeriesMetric price) =>
        (((long)row * AssetCount + asset) * 2 + (price == SeriesMetric.Price ? 0 : 1)) * PriceBins.Count;

    /// <summary>Summarises the records of rows [<paramref name="from"/>, <paramref name="to"/>) of a batch, in path order.
    /// Rows are independent: each is folded by one thread, its paths in order, so nothing depends on the threads.</summary>
    public void AddRows(PathOutputs o, int from, int to)
    {
        if (o.SeriesRows != Rows || o.AssetCount != AssetCount)
            throw new ArgumentException($"records of {o.SeriesRows} rows and {o.AssetCount} assets, expected {Rows} and {AssetCount}", nameof(o));
        if (to <= from) return;
        int cells = Cells;
        int chunks = Math.Min(Rows, 4 * Environment.ProcessorCount);
        Parallel.For(0, chunks, chunk =>
        {
            // A thread takes a range of rows and reads each path's rows in it contiguously.
            int firstRow = (int)((long)Rows * chunk / chunks), endRow = (int)((long)Rows * (chunk + 1) / chunks);
            var values = new double[cells];
            for (int p = from; p < to; p++)
                for (int r = firstRow; r < endRow; r++)
                {
                    Values(o, p, r, values);
                    var means = Means.AsSpan(r * cells, cells);
                    for (int k = 0; k < cells; k++) means[k].Add(values[k]);
                }
        });
        Paths += to - from;
    }

    /// <summary>The cell values of record row <paramref name="r"/> of the batch's row <paramref name="p"/>; its prices go
    /// into their bins.</summary>
    private void Values(PathOutputs o, int p, int r, double[] values)
    {
        int n = AssetCount, fields = o.SeriesFields;
        var series = o.Series;
        long at = ((long)p * Rows + r) * fields;
        values[AssetMetrics * n] = series[at + PathSeries.Fund];
        values[AssetMetrics * n + 1] = series[at + PathSeries.UncoveredBeforeAdl] > 0 ? 1.0 : 0.0;
        long a = at + PathSeries.PathFields, before = a - fields; // the previous row (for the step's liquidations)
        for (int i = 0; i < n; i++)
        {
            double price = series[a + PathSeries.Price * n + i];
            double exogenous = series[a + PathSeries.ExogenousPrice * n + i];
            double cumulative = series[a + PathSeries.LiquidatedNotional * n + i];
            double liquidated = r == 0 ? cumulative : cumulative - series[before + PathSeries.LiquidatedNotional * n + i];
            values[(int)SeriesMetric.Price * n + i] = price;
            values[(int)SeriesMetric.ExogenousPrice * n + i] = exogenous;
            values[(int)SeriesMetric.LiquidatedNotional * n + i] = liquidated;
            values[(int)SeriesMetric.PLiquidation * n + i] = liquidated > 0 ? 1.0 : 0.0;
            values[(int)SeriesMetric.DepthFactor * n + i] = series[a + PathSeries.DepthFactor * n + i];
            values[(int)SeriesMetric.QueuedNotional * n + i] = series[a + PathSeries.QueuedNotional * n + i];
            Bin(HistogramStart(r, i, SeriesMetric.Price), price);
            Bin(HistogramStart(r, i, SeriesMetric.ExogenousPrice), exogenous);
        }
    }

    private void Bin(long start, double value)
    {
        ref var bin = ref Bins[start + PriceBins.Of(value)];
        bin.Count++;
        if (value < bin.Min) bin.Min = value;
        if (value > bin.Max) bin.Max = value;
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of a relative price at row <paramref name="row"/>: the sample quantile with linear
    /// interpolation between order statistics (x at position q (n - 1)), where an order statistic inside a bin is
    /// interpolated between the bin's exact minimum and maximum by its rank in the bin. Every quantile lies within the
    /// bins' exact extremes: a row where all paths have the same price (the start) gives that price exactly. Exact when no
    /// bin holds more than two distinct values; otherwise off by at most the bin's width. NaN with no paths.
    /// </summary>
    public double Quantile(int row, int asset, SeriesMetric price, double q) => Quantiles(row, asset, price, [q])[0];

    /// <summary><see cref="Quantile"/> at several levels, from one scan of the bins.</summary>
    public double[] Quantiles(int row, int asset, SeriesMetric price, IReadOnlyList<double> levels)
    {
        if (price is not (SeriesMetric.Price or SeriesMetric.ExogenousPrice)) throw new ArgumentException("quantiles are kept for the two prices", nameof(price));
        foreach (double q in levels)
            if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(levels), q, "must be in [0, 1]");
        long start = HistogramStart(row, asset, price);
        long total = 0;
        for (int b = 0; b < PriceBins.Count; b++) total += Bins[start + b].Count;
        var result = new double[levels.Count];
        for (int k = 0; k < levels.Count; k++)
        {
            if (total == 0)
            {
                result[k] = double.NaN;
                continue;
            }
            double h = levels[k] * (total - 1);
            long lower = (long)Math.Floor(h);
            double below = OrderStatistic(start, lower);
            result[k] = lower + 1 >= total || h == lower ? below : below + (h - lower) * (OrderStatistic(start, lower + 1) - below);
        }
        return result;
    }

    /// <summary>Order statistic <paramref name="position"/> (0-based) as the bins know it.</summary>
    private double OrderStatistic(long start, long position)
    {
        long seen = 0;
        for (int b = 0; b < PriceBins.Count; b++)
        {
            long count = Bins[start + b].Count;
            if (position < seen + count)
            {
                double lo = Bins[start + b].Min, hi = Bins[start + b].Max;
                return count == 1 ? lo : lo + (hi - lo) * ((double)(position - seen) / (count - 1));
            }
            seen += count;
        }
        throw new InvalidOperationException("position beyond the count");
    }

    /// <summary>The floating-point part of a merge (moments): merged segment by segment in path order.</summary>
    internal void MergeMoments(SeriesAccumulator next)
    {
        CheckShape(next);
        for (int k = 0; k < Means.Length; k++) Means[k].Merge(next.Means[k]);
        Paths += next.Paths;
    }

    /// <summary>The exact part of a merge (counts and extremes of the bins): the same in any order.</summary>
    internal void MergeCounts(SeriesAccumulator next)
    {
        CheckShape(next);
        for (long k = 0; k < Bins.LongLength; k++)
        {
            ref readonly var other = ref next.Bins[k];
            if (other.Count == 0) continue;
            ref var bin = ref Bins[k];
            bin.Count += other.Count;
            if (other.Min < bin.Min) bin.Min = other.Min;
            if (other.Max > bin.Max) bin.Max = other.Max;
        }
    }

    private void CheckShape(SeriesAccumulator other)
    {
        if (other.Rows != Rows || other.AssetCount != AssetCount)
            throw new ArgumentException($"a series of {other.Rows} rows and {other.AssetCount} assets, expected {Rows} and {AssetCount}");
    }

    /// <summary>An empty accumulator of the same shape.</summary>
    internal SeriesAccumulator EmptyLike() => new(AssetCount, Rows);

    /// <summary>Writes the moments and, with <paramref name="bins"/>, the non-empty bins (count, exact minimum and maximum).</summary>
    internal void WriteTo(BinaryWriter w, bool bins)
    {
        w.Write(AssetCount);
        w.Write(Rows);
        w.Write(Paths);
        foreach (var m in Means)
        {
            w.Write(m.Count);
            w.Write(m.Mean);
            w.Write(m.SumSquaredDeviations);
        }
        w.Write(bins);
        if (!bins) return;
        long used = 0;
        foreach (var bin in Bins) if (bin.Count != 0) used++;
        w.Write(used);
        for (long k = 0; k < Bins.LongLength; k++)
        {
            if (Bins[k].Count == 0) continue;
            w.Write(k);
            w.Write(Bins[k].Count);
            w.Write(Bins[k].Min);
            w.Write(Bins[k].Max);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote, for <paramref name="assets"/> assets.</summary>
    internal static SeriesAccumulator ReadFrom(BinaryReader r, int assets)
    {
        int fileAssets = r.ReadInt32(), rows = r.ReadInt32();
        if (fileAssets != assets) throw new InvalidDataException($"a series of {fileAssets} assets, expected {assets}");
        if (rows < 1 || rows > 10_000_001) throw new InvalidDataException($"a series of {rows} rows");
        var a = new SeriesAccumulator(assets, rows) { Paths = r.ReadInt64() };
        for (int k = 0; k < a.Means.Length; k++)
            a.Means[k] = new Moments { Count = r.ReadInt64(), Mean = r.ReadDouble(), SumSquaredDeviations = r.ReadDouble() };
        if (!r.ReadBoolean()) return a;
        long used = r.ReadInt64();
        if (used < 0 || used > a.Bins.LongLength) throw new InvalidDataException($"{used} series bins");
        for (long u = 0; u < used; u++)
        {
            long k = r.ReadInt64();
            if (k < 0 || k >= a.Bins.LongLength) throw new InvalidDataException($"series bin {k}");
            a.Bins[k] = new PriceBin { Count = r.ReadInt64(), Min = r.ReadDouble(), Max = r.ReadDouble() };
        }
        return a;
    }
}
