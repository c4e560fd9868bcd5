using GpuCascade.Kernels;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>One figure of the outputs over time: a row of <c>run --series</c>'s CSV.</summary>
/// <param name="Step">0 for the start, k for the end of step k (1-based).</param>
/// <param name="Time">Hours since the start.</param>
/// <param name="Asset">The asset's symbol; empty for the per-path metrics (fund, pFundDepleted).</param>
/// <param name="Metric">price, exogenousPrice, liquidatedNotional, pLiquidation, depthFactor, queuedNotional, fund, pFundDepleted.</param>
/// <param name="Statistic">mean, standardError, and for the prices min, q01, q05, q25, q50, q75, q95, q99, max.</param>
/// <param name="Value">The value.</param>
public readonly record struct SeriesPoint(int Step, double Time, string Asset, string Metric, string Statistic, double Value);

/// <summary>
/// The outputs over time of a run (docs/model.md section 8.5; <c>run --series</c>): per step and asset, the quantiles of the traded and
/// exogenous prices relative to the start (from <see cref="PriceBins"/> histograms that keep each bin's exact extremes),
/// and the means, with standard errors, of the prices, the step's liquidated notional, P(some liquidation in the step),
/// the depth factor and the queued notional; per step the mean fund and P(fund depleted by then).
/// </summary>
public sealed class SeriesResult
{
    private readonly SeriesAccumulator _acc;

    internal SeriesResult(SeriesAccumulator acc, IReadOnlyList<string> symbols, double stepHours)
    {
        _acc = acc;
        Symbols = symbols;
        StepHours = stepHours;
    }

    /// <summary>The seed of the run the series comes from (in its JSON, so that a report can tell whose series it is).</summary>
    public ulong? Seed { get; init; }

    /// <summary>The SHA-256 of the scenario the series was simulated on (the run's <c>manifest.scenarioSha256</c>).</summary>
    public string? ScenarioSha256 { get; init; }

    /// <summary>The quantile levels reported for the prices.</summary>
    public static IReadOnlyList<double> QuantileLevels { get; } = [0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99];

    /// <summary>Asset symbols, in scenario order.</summary>
    public IReadOnlyList<string> Symbols { get; }
    /// <summary>Steps (rows 1 .. Steps; row 0 is the start).</summary>
    public int Steps => _acc.Rows - 1;
    /// <summary>Hours per step.</summary>
    public double StepHours { get; }
    /// <summary>Paths summarised.</summary>
    public long Paths => _acc.Paths;

    /// <summary>The name of <paramref name="metric"/> in the files (camel case).</summary>
    public static string Name(SeriesMetric metric) => metric switch
    {
        SeriesMetric.Price => "price",
        SeriesMetric.ExogenousPrice => "exogenousPrice",
        SeriesMetric.LiquidatedNotional => "liquidatedNotional",
        SeriesMetric.PLiquidation => "pLiquidation",
        SeriesMetric.DepthFactor => "depthFactor",
        SeriesMetric.QueuedNotional => "queuedNotional",
        SeriesMetric.Fund => "fund",
        SeriesMetric.PFundDepleted => "pFundDepleted",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>Whether <paramref name="metric"/> is per asset (the fund's are per path).</summary>
    public static bool PerAsset(SeriesMetric metric) => metric is not (SeriesMetric.Fund or SeriesMetric.PFundDepleted);

    /// <summary>The name of a quantile level: q01 .. q99.</summary>
    public static string QuantileName(double level) => $"q{Math.Round(level * 100):00}";

    private int AssetIndex(string? asset, SeriesMetric metric)
    {
        if (!PerAsset(metric)) return 0;
        int i = -1;
        for (int k = 0; k < Symbols.Count && asset is not null; k++)
            if (Symbols[k] == asset) i = k;
        if (i < 0) throw new ArgumentException($"unknown asset {Echo.Quote(asset)}; the run has {string.Join(", ", Symbols)}", nameof(asset));
        return i;
    }

    private void CheckStep(int step)
    {
        if (step < 0 || step > Steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"must be in 0 .. {Steps}");
    }

    /// <summary>The mean of <paramref name="metric"/> at <paramref name="step"/> with its standard error
    /// (<paramref name="asset"/> is ignored for the fund's metrics).</summary>
    public MeanEstimate Mean(int step, SeriesMetric metric, string? asset = null)
    {
        CheckStep(step);
        return MeanEstimate.From(_acc.Moments(step, metric, AssetIndex(asset, metric)));
    }

    /// <summary>The <paramref name="level"/> quantile of a relative price (<see cref="SeriesMetric.Price"/> or
    /// <see cref="SeriesMetric.ExogenousPrice"/>) of <paramref name="asset"/> at <paramref name="step"/>; level 0 and 1 give
    /// the exact minimum and maximum.</summary>
    public double Quantile(int step, string asset, SeriesMetric price, double level)
    {
        CheckStep(step);
        return _acc.Quantile(step, AssetIndex(asset, price), price, level);
    }

    /// <summary>Every figure, step by step (then asset by asset, metric by metric): the rows of the CSV.</summary>
    public IEnumerable<SeriesPoint> Points()
    {
        var metrics = Enum.GetValues<SeriesMetric>();
        for (int step = 0; step <= Steps; step++)
        {
            double time = Math.Round(step * StepHours, 9); // hours; rounded so that 24 h reads 24, not 24.000000000000004
            foreach (var symbol in Symbols)
                foreach (var metric in metrics.Where(PerAsset))
                    foreach (var point in PointsOf(step, time, symbol, metric)) yield return point;
            foreach (var metric in metrics.Where(m => !PerAsset(m)))
                foreach (var point in PointsOf(step, time, "", metric)) yield return point;
        }
    }

    private IEnumerable<SeriesPoint> PointsOf(int step, double time, string asset, SeriesMetric metric)
    {
        string name = Name(metric);
        var mean = Mean(step, metric, asset.Length == 0 ? null : asset);
        yield return new(step, time, asset, name, "mean", mean.Mean);
        yield return new(step, time, asset, name, "standardError", mean.StandardError);
        if (metric is not (SeriesMetric.Price or SeriesMetric.ExogenousPrice)) yield break;
        var q = _acc.Quantiles(step, AssetIndex(asset, metric), metric, [0.0, .. QuantileLevels, 1.0]);
        yield return new(step, time, asset, name, "min", q[0]);
        for (int k = 0; k < QuantileLevels.Count; k++) yield return new(step, time, asset, name, QuantileName(QuantileLevels[k]), q[k + 1]);
        yield return new(step, time, asset, name, "max", q[^1]);
    }
}

/// <summary>
/// Full trajectories of the first paths of a run (<c>run --sample-paths</c>), for plots: per path, step and asset the
/// relative prices, the step's liquidated notional, the depth factor, the queued notional, and per path and step the fund
/// and the uncovered loss before ADL so far.
/// </summary>
public sealed class SamplePathSet
{
    private readonly SamplePaths _store;

    internal SamplePathSet(SamplePaths store, IReadOnlyList<string> symbols, double stepHours)
    {
        _store = store;
        Symbols = symbols;
        StepHours = stepHours;
    }

    /// <summary>Asset symbols, in scenario order.</summary>
    public IReadOnlyList<string> Symbols { get; }
    /// <summary>Hours per step.</summary>
    public double StepHours { get; }
    /// <summary>Paths held: 0 .. Count - 1 (fewer than asked when the run was stopped early).</summary>
    public int Count => _store.Filled;
    /// <summary>Steps (rows 0 .. Steps).</summary>
    public int Steps => _store.Rows - 1;

    private double Field(int path, int step, int field)
    {
        if (path < 0 || path >= Count) throw new ArgumentOutOfRangeException(nameof(path), path, $"must be in 0 .. {Count - 1}");
        if (step < 0 || step > Steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"must be in 0 .. {Steps}");
        return _store.Row(path, step)[field];
    }

    private double AssetField(int path, int step, int asset, int field) =>
        Field(path, step, PathSeries.PathFields + field * Symbols.Count + asset);

    /// <summary>The traded price (mid) relative to the start.</summary>
    public double Price(int path, int step, int asset) => AssetField(path, step, asset, PathSeries.Price);
    /// <summary>The exogenous price relative to the start.</summary>
    public double ExogenousPrice(int path, int step, int asset) => AssetField(path, step, asset, PathSeries.ExogenousPrice);
    /// <summary>Notional liquidated in the step (row 0: in the opening round).</summary>
    public double LiquidatedNotional(int path, int step, int asset) =>
        AssetField(path, step, asset, PathSeries.LiquidatedNotional) - (step == 0 ? 0 : AssetField(path, step - 1, asset, PathSeries.LiquidatedNotional));
    /// <summary>The step's lowest depth factor u g.</summary>
    public double DepthFactor(int path, int step, int asset) => AssetField(path, step, asset, PathSeries.DepthFactor);
    /// <summary>Notional waiting for the liquidation engine at the step's end.</summary>
    public double QueuedNotional(int path, int step, int asset) => AssetField(path, step, asset, PathSeries.QueuedNotional);
    /// <summary>The insurance fund at the step's end.</summary>
    public double Fund(int path, int step) => Field(path, step, PathSeries.Fund);
    /// <summary>Bad debt the fund had failed to pay by the step's end (before ADL): the fund is depleted once it is positive.</summary>
    public double UncoveredBeforeAdl(int path, int step) => Field(path, step, PathSeries.UncoveredBeforeAdl);
}
