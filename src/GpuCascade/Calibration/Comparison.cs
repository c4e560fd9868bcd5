using GpuCascade.Book;
using GpuCascade.Kernels;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Calibration;

/// <summary>One key varied over values: <c>--vary venue.maintenanceMargin=0.005,0.01</c>; <c>inf</c> is a value for keys
/// whose default is no limit (<c>--vary venue.liquidationCapacity=1e9,inf</c>).</summary>
/// <param name="Key">A scenario key path (<see cref="ScenarioDocument"/>).</param>
/// <param name="Values">Its values, in order.</param>
public sealed record VaryAxis(string Key, IReadOnlyList<double> Values)
{
    /// <summary>Parses <c>KEY=V1,V2[,...]</c>.</summary>
    /// <exception cref="FormatException">No '=', an empty key, or a value that is not a number.</exception>
    public static VaryAxis Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new FormatException($"expected KEY=V1,V2[,...], got {Echo.Quote(text)}");
        string key = text[..eq].Trim();
        var values = new List<double>();
        foreach (string part in text[(eq + 1)..].Split(','))
        {
            // inf (.inf) is a value, as in a scenario file, for the keys whose "no limit" is infinite (liquidationCapacity);
            // the scenario's validator refuses it for every other key, naming it.
            if (!ScenarioNumbers.TryParseDouble(part, out double v) || double.IsNaN(v) || double.IsNegativeInfinity(v))
                throw new FormatException($"{Echo.Key(key)}: {Echo.Quote(part.Trim())} is not a number (finite, or inf for a key whose default is no limit)");
            values.Add(v);
        }
        return new VaryAxis(key, values);
    }
}

/// <summary>Options of a comparison; everything is optional.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Overrides the scenario's path count.</summary>
    public long? Paths { get; init; }
    /// <summary>Overrides the scenario's seed.</summary>
    public ulong? Seed { get; init; }
    /// <summary>The device for every variant; a new managed backend per run when null.</summary>
    public ISimulationBackend? Backend { get; init; }
    /// <summary>Progress of each variant's run.</summary>
    public IProgress<RunProgress>? Progress { get; init; }
    /// <summary>One line per variant as it starts and ends (for a log or stderr).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>What happens to a cohort a variant puts below its initial margin [deleverage].</summary>
    public BreachRule Breach { get; init; } = BreachRule.Deleverage;
    /// <summary>Told how many variants are prepared (built and validated) so far, during the setup before any runs.</summary>
    internal Action<int>? Prepared { get; init; }
}

/// <summary>A variant of a comparison: its values, its result and its differences to the first variant.</summary>
/// <param name="Values">KEY -&gt; value, in the order of the axes (empty when scenarios were compared as they are).</param>
/// <param name="Result">The run result.</param>
/// <param name="DeleveragedNotional">Notional removed by the deleveraging rule (docs/calibration.md).</param>
/// <param name="OpeningRoundNotional">Notional the liquidating rule sends to the opening round.</param>
/// <param name="BookRegenerated">Whether a <c>book.generator.*</c> key regenerated the book for this variant (scenarios compared as
/// they are: whether its generated book differs from the first scenario's).</param>
/// <param name="Difference">Per metric (<see cref="RiskMetric.All"/> order): variant minus first variant.</param>
public sealed record VariantResult(
    IReadOnlyList<KeyValuePair<string, double>> Values,
    RunResult Result,
    double DeleveragedNotional,
    double OpeningRoundNotional,
    bool BookRegenerated,
    IReadOnlyList<KeyValuePair<string, MetricDifference>> Difference);

/// <summary>The result of <see cref="Comparison"/>'s <c>Run</c>.</summary>
/// <param name="Axes">The keys varied (none when scenarios were compared as they are).</param>
/// <param name="Variants">The variants run (fewer than planned when cancelled), the first being the reference.</param>
/// <param name="PlannedVariants">Variants in the grid.</param>
/// <param name="Cancelled">Whether the comparison was stopped before every variant finished.</param>
/// <param name="Breach">The initial-margin breach rule applied.</param>
public sealed record ComparisonResult(IReadOnlyList<VaryAxis> Axes, IReadOnlyList<VariantResult> Variants, int PlannedVariants, bool Cancelled,
    BreachRule Breach = BreachRule.Deleverage);

/// <summary>
/// Runs variants of a scenario on the same paths (common random numbers: the same seed and path indices, the book held
/// fixed) and reports each metric's difference to the first variant with a paired 95% interval beside the unpaired one.
/// </summary>
/// <example>
/// <code>
/// var result = Comparison.Run(ScenarioDocument.Default,
///     [new VaryAxis("venue.maintenanceMargin", [0.005, 0.01])], new ComparisonOptions { Paths = 4096 });
/// var d = result.Variants[1].Difference.First(x => x.Key == "badDebt.mean").Value;
/// </code>
/// </example>
public static class Comparison
{
    /// <summary>The most variants one comparison runs (the product of the axes' value counts): every variant is
    /// validated and kept before the first runs, and each is a full run.</summary>
    public const int MaxVariants = 10_000;

    /// <summary>How many variants the grid of <paramref name="axes"/> holds, without building it (saturates at
    /// <see cref="long.MaxValue"/>).</summary>
    public static long VariantCount(IReadOnlyList<VaryAxis> axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        long count = 1;
        foreach (var axis in axes)
            count = axis.Values.Count == 0 ? 0 : count > long.MaxValue / axis.Values.Count ? long.MaxValue : count * axis.Values.Count;
        return count;
    }

    /// <summary>The cross product of the axes, the first axis outermost.</summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, double>>> Grid(IReadOnlyList<VaryAxis> axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        IEnumerable<IReadOnlyList<KeyValuePair<string, double>>> grid = [[]];
        foreach (var axis in axes)
            grid = grid.SelectMany(g => axis.Values.Select(v => (IReadOnlyList<KeyValuePair<string, double>>)[.. g, new(axis.Key, v)]));
        return grid.ToList();
    }

    /// <summary>Runs every variant of the grid of <paramref name="axes"/> on <paramref name="document"/>.</summary>
    /// <exception cref="ScenarioException">A key is unknown or not numeric, or a variant is invalid; every variant is
    /// checked before anything runs.</exception>
    /// <exception cref="ArgumentException">No axis, an axis without values, or a key given twice.</exception>
    public static ComparisonResult Run(ScenarioDocument document, IReadOnlyList<VaryAxis> axes, ComparisonOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(axes);
        options ??= new ComparisonOptions();
        if (axes.Count == 0) throw new ArgumentException("nothing to compare: give at least one key to vary", nameof(axes));
        foreach (var axis in axes)
            if (axis.Values.Count == 0) throw new ArgumentException($"{axis.Key}: no values", nameof(axes));
        var twice = axes.GroupBy(a => a.Key).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"{Echo.Key(twice.Key)}: varied twice; give its values in one list", nameof(axes));

        long count = VariantCount(axes);
        if (count > MaxVariants)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"variants: the values make {(count == long.MaxValue ? "more than 9e18" : count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} variants " +
                $"({string.Join(" x ", axes.Select(a => a.Values.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}); one comparison runs at most " +
                $"{MaxVariants:N0}: give fewer values, or split it into several comparisons"), nameof(axes));

        var factory = new VariantFactory(document, options.Breach);
        CheckMemory(options.Paths ?? factory.Base.Paths, (int)count, factory.Base.Book.Cohorts.Length + factory.GeneratedCohorts);
        var grid = Grid(axes);
        // Every variant is validated before anything runs; a signal during this setup stops it like one during the runs.
        var prepared = new List<PreparedVariant>(grid.Count);
        foreach (var values in grid)
        {
            if (cancellation.IsCancellationRequested) return new ComparisonResult(axes, [], grid.Count, Cancelled: true, options.Breach);
            prepared.Add(factory.Prepare(values));
            options.Prepared?.Invoke(prepared.Count);
        }
        return Run(axes, grid, prepared, options, cancellation);
    }

    /// <summary>
    /// Runs scenarios as they are, the first being the reference, on the same paths (common random numbers: the same
    /// seed and path indices) and reports each metric's difference to the first with paired and unpaired 95% intervals,
    /// as <see cref="Run(ScenarioDocument, IReadOnlyList{VaryAxis}, ComparisonOptions?, CancellationToken)"/> does; for
    /// variants made with <see cref="Scenario.With(string, double)"/>.
    /// </summary>
    /// <remarks>
    /// The scenarios are not changed: no initial-margin rule applies (<see cref="ComparisonOptions.Breach"/> is not used),
    /// and a scenario with a book generator gets the book its own parameters generate, so a margin change also changes
    /// the book; <see cref="VariantResult.BookRegenerated"/> says where the generated book differs from the first
    /// scenario's. The variants' <see cref="VariantResult.Values"/> and the result's axes are empty. To hold a generated
    /// book fixed, compare a <see cref="ScenarioDocument"/> by key instead.
    /// </remarks>
    /// <exception cref="ArgumentException">Fewer than two scenarios, scenarios with different seeds or path counts and no
    /// <see cref="ComparisonOptions.Seed"/> or <see cref="ComparisonOptions.Paths"/> to override them, or too many paths to
    /// keep in memory.</exception>
    public static ComparisonResult Run(IReadOnlyList<Scenario> variants, ComparisonOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(variants);
        options ??= new ComparisonOptions();
        if (variants.Count < 2) throw new ArgumentException("nothing to compare: give at least two scenarios", nameof(variants));
        foreach (var v in variants) ArgumentNullException.ThrowIfNull(v, nameof(variants));
        for (int v = 1; v < variants.Count; v++)
        {
            // Common random numbers: one seed and path count for all, from the options or agreed by the scenarios.
            if (options.Seed is null && variants[v].Seed != variants[0].Seed)
                throw new ArgumentException($"scenario {v + 1} has seed {variants[v].Seed}, the first {variants[0].Seed}: common random " +
                                            "numbers need one seed; give ComparisonOptions.Seed", nameof(variants));
            if (options.Paths is null && variants[v].Paths != variants[0].Paths)
                throw new ArgumentException($"scenario {v + 1} has {variants[v].Paths:N0} paths, the first {variants[0].Paths:N0}: give " +
                                            "ComparisonOptions.Paths", nameof(variants));
        }
        CheckMemory(options.Paths ?? variants[0].Paths, variants.Count, variants.Max(s => s.Book.Cohorts.Length));
        string? firstBook = GeneratedBook(variants[0]);
        var prepared = variants.Select(s => new PreparedVariant(s, 0, 0, GeneratedBook(s) != firstBook)).ToList();
        var grid = variants.Select(_ => (IReadOnlyList<KeyValuePair<string, double>>)[]).ToList();
        return Run([], grid, prepared, options, cancellation);
    }

    /// <summary>The SHA-256 of the book <paramref name="scenario"/>'s generator builds; null without one.</summary>
    private static string? GeneratedBook(Scenario scenario) =>
        scenario.Book.Generator is null ? null : ScenarioJson.BookSha256(scenario, BookGenerator.Generate(scenario));

    /// <summary>Memory a variant holds for the whole comparison besides its cohorts: its result (statistics, exact
    /// tails of the largest losses, histograms, per-asset and per-cohort figures), measured at about 40 KB for the
    /// default scenario, with headroom.</summary>
    internal const long BytesPerVariant = 64 << 10;

    /// <summary>Memory a cohort of a prepared variant holds (its terms as a record, its per-cohort result figures).</summary>
    internal const long BytesPerVariantCohort = 512;

    /// <summary>A paired comparison keeps every path's figures of two runs in memory, and every variant (its scenario,
    /// then its result) until the end: refused before anything is built when that is more than half of the memory.</summary>
    private static void CheckMemory(long paths, int variants, int cohorts)
    {
        long pathBytes = 2 * PathRecord.BytesPerPath * paths; // the first variant's figures and the current one's
        long variantBytes = variants * (BytesPerVariant + BytesPerVariantCohort * cohorts);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (paths > Array.MaxLength || pathBytes + variantBytes > available / 2)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"paths: a paired comparison keeps every path's figures of two runs ({PathRecord.BytesPerPath} bytes " +
                                        $"per path each) and every variant ({variants:N0} of {cohorts:N0} cohorts): {paths:N0} paths and " +
                                        $"{variants:N0} variants need {(pathBytes + variantBytes) / 1073741824.0:0.0} GiB, more than half of the " +
                                        $"{available / 1073741824.0:0.0} GiB available; use fewer paths or variants"), "options");
    }

    private static ComparisonResult Run(IReadOnlyList<VaryAxis> axes, IReadOnlyList<IReadOnlyList<KeyValuePair<string, double>>> grid,
        List<PreparedVariant> prepared, ComparisonOptions options, CancellationToken cancellation)
    {
        var variants = new List<VariantResult>();
        PathRecord? firstRecord = null;
        RunResult? firstResult = null;
        bool cancelled = false;
        for (int v = 0; v < prepared.Count && !cancelled; v++)
        {
            string label = grid[v].Count > 0 ? string.Join(", ", grid[v].Select(x => $"{x.Key}={ScenarioNumbers.Text(x.Value)}"))
                : $"scenario {v + 1}";
            options.Log?.Invoke($"variant {v + 1}/{prepared.Count}: {label}");
            var (result, record) = Runner.Run(prepared[v].Scenario, options.Paths, options.Seed, options.Backend,
                options.Progress, cancellation, record: true);
            if (result.Run.Cancelled)
            {
                cancelled = true;
                break;
            }
            firstRecord ??= record;
            firstResult ??= result;
            var difference = v == 0
                ? RiskMetric.All.Select(m => new KeyValuePair<string, MetricDifference>(m.Name, MetricDifference.Zero)).ToList()
                : Differences(firstResult, firstRecord!, result, record!);
            variants.Add(new VariantResult(grid[v], result, prepared[v].DeleveragedNotional, prepared[v].OpeningRoundNotional,
                prepared[v].BookRegenerated, difference));
        }
        return new ComparisonResult(axes, variants, prepared.Count,
            cancelled || cancellation.IsCancellationRequested && variants.Count < prepared.Count, options.Breach);
    }

    private static List<KeyValuePair<string, MetricDifference>> Differences(RunResult first, PathRecord firstRecord, RunResult variant,
        PathRecord variantRecord)
    {
        long n = Math.Min(first.Paths, variant.Paths);
        var result = new List<KeyValuePair<string, MetricDifference>>();
        var tails = new Dictionary<(OutputRow, MetricStatistic, TailLevel), (double, double)>();
        foreach (var row in RiskMetric.All.Where(m => m.IsTail).Select(m => m.Row).Distinct())
        {
            var probe = new RiskMetric(row, MetricStatistic.ValueAtRisk, TailLevel.Standard[0]);
            var bounds = PairedDifference.Bootstrap(firstRecord.Loss(probe), variantRecord.Loss(probe), n, TailLevel.Standard);
            for (int l = 0; l < TailLevel.Standard.Length; l++)
            {
                tails[(row, MetricStatistic.ValueAtRisk, TailLevel.Standard[l])] = (bounds[l].VarLower, bounds[l].VarUpper);
                tails[(row, MetricStatistic.ExpectedShortfall, TailLevel.Standard[l])] = (bounds[l].EsLower, bounds[l].EsUpper);
            }
        }
        foreach (var metric in RiskMetric.All)
        {
            Figure f0 = metric.Read(first), f1 = metric.Read(variant);
            var (unpairedLower, unpairedUpper) = PairedDifference.Mover(f0, f1);
            MetricDifference d;
            if (metric.Level is TailLevel level)
            {
                var (lower, upper) = tails[(metric.Row, metric.Statistic, level)];
                d = new MetricDifference(f1.Estimate - f0.Estimate, lower, upper, unpairedLower, unpairedUpper);
            }
            else
            {
                var (estimate, lower, upper) = PairedDifference.PerPath(firstRecord, variantRecord, metric, n);
                d = new MetricDifference(estimate, lower, upper, unpairedLower, unpairedUpper);
            }
            result.Add(new(metric.Name, d));
        }
        return result;
    }
}

/// <summary>Runs a prepared scenario, optionally keeping every path's figures for paired statistics.</summary>
internal static class Runner
{
    public static (RunResult Result, PathRecord? Record) Run(Scenario scenario, long? paths, ulong? seed, ISimulationBackend? backend,
        IProgress<RunProgress>? progress, CancellationToken cancellation, bool record)
    {
        var pathRecord = record ? new PathRecord(paths ?? scenario.Paths) : null;
        var result = SimulationEngine.Run(scenario, new RunOptions
        {
            Paths = paths,
            Seed = seed,
            Backend = backend,
            Progress = progress,
            PathObserver = pathRecord is null ? null : pathRecord.Observe,
        }, cancellation);
        return (result, pathRecord);
    }
}
