using GpuCascade.Kernels;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Statistics;

namespace GpuCascade.Simulation;

/// <summary>Turns the merged accumulators into a <see cref="RunResult"/>.</summary>
internal static class ResultBuilder
{
    /// <summary>Hours in the model's year (365 days: a step of dt years is dt x 8,760 hours).</summary>
    private const double HoursPerYear = 8760.0;

    public static RunResult Build(SimulationPlan plan, RiskAccumulator acc, ISimulationBackend backend, RunInfo run,
        IReadOnlyList<CohortAttribution>? attribution = null) => Build(plan, acc, backend.Name, run, attribution);

    public static RunResult Build(SimulationPlan plan, RiskAccumulator acc, string backend, RunInfo run,
        IReadOnlyList<CohortAttribution>? attribution = null)
    {
        long n = acc.Paths;
        var assets = new List<KeyValuePair<string, AssetRisk>>();
        var histograms = new List<KeyValuePair<string, HistogramSummary>>();
        MeanEstimate Mean(OutputRow row, int asset = 0) => MeanEstimate.From(acc.Mean(row, asset));
        var perPath = OutputSchema.Rows.Where(r => r.Shape == OutputShape.PerPath).ToList();
        var perAsset = OutputSchema.Rows.Where(r => r.Shape == OutputShape.PerAsset).ToList();
        foreach (var row in perPath.Where(r => r.Has(OutputAggregations.Histogram)))
            histograms.Add(new(row.Key, Summary(acc.Histogram(row))));
        for (int i = 0; i < plan.AssetCount; i++)
        {
            double exo = acc.Mean(OutputSchema.ExogenousMaxDrawdown, i).Mean;
            assets.Add(new(plan.Symbols[i], new AssetRisk(
                Mean(OutputSchema.MaxDrawdown, i),
                Mean(OutputSchema.ExogenousMaxDrawdown, i),
                exo > 0 ? acc.Mean(OutputSchema.MaxDrawdown, i).Mean / exo : double.NaN,
                Mean(OutputSchema.LiquidatedByAsset, i),
                Mean(OutputSchema.MaxDisplacement, i),
                Mean(OutputSchema.MinDepthFactor, i))));
            foreach (var row in perAsset.Where(r => r.Has(OutputAggregations.Histogram)))
                histograms.Add(new($"{row.Key}.{plan.Symbols[i]}", Summary(acc.Histogram(row, i))));
        }
        var mechanisms = new MechanismFigures(
            [.. OutputSchema.MechanismRows.Where(r => r.Has(OutputAggregations.Mean)).Select(r => new KeyValuePair<string, MeanEstimate>(r.Key, Mean(r)))],
            [.. OutputSchema.MechanismRows.Where(r => r.Has(OutputAggregations.Positive))
                .Select(r => new KeyValuePair<string, ProbabilityEstimate>(r.ProbabilityKey!, acc.Positive(r).Wilson()))])
        {
            Tails = [.. OutputSchema.MechanismRows.Where(r => r.Has(OutputAggregations.Tail))
                .Select(r => new KeyValuePair<string, LossDistribution>(r.Key, Loss(acc.Mean(r), acc.Tail(r), n)))],
            On = [.. MechanismCatalogue.All.Where(m => !MechanismCatalogue.IsOff(plan.Scenario, m.Key)).Select(m => m.Key)],
        };
        var manifest = Manifest(plan);
        return new RunResult
        {
            Paths = n,
            RequestedPaths = plan.Scenario.Paths,
            Seed = plan.Seed,
            Backend = backend,
            Steps = plan.Steps,
            Horizon = plan.Scenario.Horizon.Text,
            Cohorts = plan.CohortCount,
            Probabilities = new EventProbabilities(
                acc.Positive(OutputSchema.AnyLiquidation).Wilson(), acc.Positive(OutputSchema.Cascade).Wilson(),
                acc.Positive(OutputSchema.BadDebt).Wilson(), acc.Positive(OutputSchema.UncoveredBeforeAdl).Wilson())
            {
                Runaway = acc.Positive(OutputSchema.Runaway).Wilson(),
            },
            Mechanisms = mechanisms,
            BadDebt = Loss(acc.Mean(OutputSchema.BadDebt), acc.Tail(OutputSchema.BadDebt), n),
            LiquidatedNotional = Loss(acc.Mean(OutputSchema.LiquidatedNotional), acc.Tail(OutputSchema.LiquidatedNotional), n),
            Assets = assets,
            RoundCapHits = acc.Positive(OutputSchema.RoundCapHit).Successes,
            Runaways = acc.Positive(OutputSchema.Runaway).Successes,
            MaxRoundsInStep = Mean(OutputSchema.MaxRoundsInStep),
            InsuranceFund = new FundSummary(plan.FundStart, Mean(OutputSchema.FundEnd), Mean(OutputSchema.FundMin),
                Mean(OutputSchema.Penalties), Mean(OutputSchema.BadDebtPaid), Mean(OutputSchema.UncoveredLoss)),
            Histograms = histograms,
            Work = new RunWork(n * plan.Steps, acc.Total(OutputSchema.MarginChecks), acc.Total(OutputSchema.CohortLiquidations)),
            // A mechanism the scenario leaves off has no distribution to warn about (its figures are zeros by construction).
            Warnings = [.. OutputSchema.Rows.Where(r => r.Shape == OutputShape.PerPath && r.Has(OutputAggregations.Tail)
                                                        && (r.Mechanism is null || !MechanismCatalogue.IsOff(plan.Scenario, r.Mechanism)))
                .SelectMany(r => TailWarnings(r.Key, n)), .. RunawayWarnings(acc, n, plan)],
            CohortAttribution = attribution ?? [],
            Series = acc.Series is { } series
                ? new SeriesResult(series, plan.Symbols, plan.Dt * HoursPerYear) { Seed = plan.Seed, ScenarioSha256 = manifest.ScenarioSha256 }
                : null,
            SamplePaths = acc.Samples is { } samples ? new SamplePathSet(samples, plan.Symbols, plan.Dt * HoursPerYear) : null,
            Ladder = Book.LiquidationLadder.Of(plan.Scenario, plan.Cohorts, 20, 1),
            VenueNames = plan.Scenario.Venues is { } set ? [.. set.Venues.Select(v => v.Name)] : [],
            Manifest = manifest,
            Run = run,
        };
    }

    private static RunManifest Manifest(SimulationPlan plan)
    {
        var s = plan.Scenario;
        string json = Scenarios.ScenarioJson.Canonical(s);
        int listed = s.Book.Cohorts.Length;
        string? book = s.Book.Generator is null ? null : Scenarios.ScenarioJson.BookSha256(s, plan.Cohorts.Skip(listed).ToList());
        return new RunManifest(EngineInfo.Version, EngineInfo.Commit, json,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json))), book);
    }

    private static LossDistribution Loss(in Moments m, TailQuantiles tail, long n)
    {
        var levels = TailLevel.Standard;
        var var = levels.Select(l => tail.ValueAtRisk(l, n)).ToArray();
        var es = levels.Select(l => tail.ExpectedShortfall(l, n)).ToArray();
        return new LossDistribution(m.Mean, m.StandardError, ByLevel(var), ByLevel(es))
        {
            ValueAtRiskInterval = ByLevel(levels.Select(l => TailIntervals.ValueAtRisk(tail.Values, n, l)).ToArray()),
            ExpectedShortfallInterval = ByLevel(levels.Select((l, i) => TailIntervals.ExpectedShortfall(tail.Values, n, l, es[i], var[i])).ToArray()),
        };
    }

    private static TailFigures<T> ByLevel<T>(T[] figures) =>
        new(TailLevel.Standard.Select((l, i) => new KeyValuePair<TailLevel, T>(l, figures[i])));

    /// <summary>The warning of a run in which some paths ran away (docs/model.md section 8.7).</summary>
    private static IEnumerable<string> RunawayWarnings(RiskAccumulator acc, long n, SimulationPlan plan)
    {
        long runaways = acc.Positive(OutputSchema.Runaway).Successes;
        if (runaways == 0) yield break;
        string bound = double.IsPositiveInfinity(plan.Scenario.RunawayBound) ? "the representable range"
            : $"{ScenarioNumbers.Format(plan.Scenario.RunawayBound)} times above or below the exogenous price (runawayBound) or the representable range";
        yield return $"{runaways:N0} of {n:N0} paths ran away (probabilities.runaway): each stopped where its traded price passed {bound}, " +
                     "so its bad debt, liquidations and drawdowns count only up to there (lower bounds)" +
                     (acc.FirstRunaway is { } first ? $"; the first: {first.Text}" : "");
    }

    /// <summary>The minimum of paths a tail figure should rest on before it is reported without a warning.</summary>
    internal const long MinimumTailPaths = 50;

    /// <summary>Warnings for the tail figures of <paramref name="metric"/> over <paramref name="n"/> paths.</summary>
    private static IEnumerable<string> TailWarnings(string metric, long n)
    {
        if (n <= 0) yield break;
        foreach (var level in TailLevel.Standard)
        {
            long tail = TailIntervals.TailPaths(n, level);
            if (tail < MinimumTailPaths)
            {
                long need = TailIntervals.PathsFor(MinimumTailPaths, level);
                foreach (var figure in new[] { "var", "es" })
                    yield return $"{metric}.{figure}.{level.Key} rests on {tail:N0} path{(tail == 1 ? "" : "s")} " +
                                 $"(the largest {100 * (1 - level.Value):0.###}% of {n:N0}); {need:N0} paths would give {MinimumTailPaths}";
            }
            var (lower, upper) = TailIntervals.ValueAtRiskRanks(n, level);
            if (lower is null || upper is null)
                yield return $"{metric}.var.{level.Key}: no distribution-free " +
                             $"{(lower is null && upper is null ? "lower or upper" : lower is null ? "lower" : "upper")} 95% bound with " +
                             $"{n:N0} paths (its interval reports null there)";
            if (tail < 2)
                yield return $"{metric}.es.{level.Key}: no interval from {tail} tail path{(tail == 1 ? "" : "s")} (null bounds)";
        }
    }

    private static HistogramSummary Summary(Histogram h) => new(h.Edges, h.Counts);
}
