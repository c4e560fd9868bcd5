using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>Turns the merged accumulators into a <see cref="RunResult"/>.</summary>
internal static class ResultBuilder
{
    public static RunResult Build(SimulationPlan plan, RiskAccumulator acc, ISimulationBackend backend, RunInfo run)
    {
        long n = acc.Paths;
        var assets = new List<KeyValuePair<string, AssetRisk>>();
        var histograms = new List<KeyValuePair<string, HistogramSummary>>
        {
            new("badDebt", Summary(acc.BadDebtHistogram)),
        };
        for (int i = 0; i < plan.AssetCount; i++)
        {
            double exo = acc.ExogenousMaxDrawdown[i].Mean;
            assets.Add(new(plan.Symbols[i], new AssetRisk(
                MeanEstimate.From(acc.MaxDrawdown[i]),
                MeanEstimate.From(acc.ExogenousMaxDrawdown[i]),
                exo > 0 ? acc.MaxDrawdown[i].Mean / exo : double.NaN,
                MeanEstimate.From(acc.LiquidatedNotionalByAsset[i]),
                MeanEstimate.From(acc.MaxDisplacement[i]))));
            histograms.Add(new($"maxDrawdown.{plan.Symbols[i]}", Summary(acc.DrawdownHistograms[i])));
        }
        return new RunResult
        {
            Paths = n,
            RequestedPaths = plan.Scenario.Paths,
            Seed = plan.Seed,
            Backend = backend.Name,
            Steps = plan.Steps,
            Horizon = plan.Scenario.Horizon.Text,
            Cohorts = plan.CohortCount,
            Probabilities = new EventProbabilities(
                acc.AnyLiquidation.Wilson(), acc.Cascade.Wilson(), acc.BadDebtPositive.Wilson(), acc.FundDepleted.Wilson()),
            BadDebt = Loss(acc.BadDebt, acc.BadDebtTail, n),
            LiquidatedNotional = Loss(acc.LiquidatedNotional, acc.LiquidatedNotionalTail, n),
            Assets = assets,
            RoundCapHits = acc.RoundCapHit.Successes,
            MaxRoundsInStep = MeanEstimate.From(acc.MaxRounds),
            InsuranceFund = new FundSummary(plan.FundStart, MeanEstimate.From(acc.FundEnd), MeanEstimate.From(acc.FundMin),
                MeanEstimate.From(acc.Penalties), MeanEstimate.From(acc.BadDebtPaid), MeanEstimate.From(acc.UncoveredLoss)),
            Histograms = histograms,
            Work = new RunWork(n * plan.Steps, acc.MarginChecks, acc.CohortLiquidations),
            Run = run,
        };
    }

    private static LossDistribution Loss(in Moments m, TailQuantiles tail, long n) => new(
        m.Mean, m.StandardError,
        TailLevel.Standard.ToDictionary(l => l.Key, l => tail.ValueAtRisk(l, n)),
        TailLevel.Standard.ToDictionary(l => l.Key, l => tail.ExpectedShortfall(l, n)));

    private static HistogramSummary Summary(Histogram h) => new(h.Edges, h.Counts);
}
