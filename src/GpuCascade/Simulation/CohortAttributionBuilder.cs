using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Statistics;

namespace GpuCascade.Simulation;

/// <summary>
/// Per-cohort attribution of a run (docs/model.md, "Attribution"): from the per-cohort totals every backend records
/// block by block, the probability each cohort is liquidated, its expected liquidated notional and the bad debt it leaves;
/// and its share of the bad debt on the tail paths, the ceil(0.01 n) paths with the largest bad debt (ties by path index),
/// which are simulated again by index on the managed backend (all cores) with per-cohort recording. The re-simulation is exact and
/// depends only on the path indices, so it is the same whatever device, batch, shard or checkpoint ran the paths, and it
/// is not counted in the run's work.
/// </summary>
internal static class CohortAttributionBuilder
{
    /// <summary>The tail of the tail shares: the largest 1% of bad debts.</summary>
    internal static readonly TailLevel TailLevel = new(99, 100);

    /// <remarks>After a cancellation too: the tail paths are 1% of those completed, and the result stays the exact
    /// result of the smaller run.</remarks>
    public static IReadOnlyList<CohortAttribution> Build(SimulationPlan plan, RiskAccumulator acc)
    {
        long n = acc.Paths;
        if (!acc.HasCohorts || n == 0) return [];
        var totals = acc.Cohorts!;
        var tailBadDebt = TailBadDebt(plan, acc);
        double tailTotal = tailBadDebt.Sum();
        var cohorts = new List<CohortAttribution>(plan.CohortCount);
        for (int c = 0; c < plan.CohortCount; c++)
        {
            var spec = plan.Cohorts[c];
            double notional = 0, collateral = spec.UsdCollateral;
            bool anyLong = false, anyShort = false;
            var assets = new List<string>();
            foreach (var p in spec.Positions)
            {
                notional += Math.Abs(p.Units) * Math.Exp(plan.LogPrice0[p.AssetIndex]);
                anyLong |= p.Units > 0;
                anyShort |= p.Units < 0;
                if (!assets.Contains(plan.Symbols[p.AssetIndex])) assets.Add(plan.Symbols[p.AssetIndex]);
            }
            foreach (var h in spec.Collateral)
                collateral += plan.CollateralWeight[h.AssetIndex] * h.Units * Math.Exp(plan.LogPrice0[h.AssetIndex]);
            cohorts.Add(new CohortAttribution(
                spec.Name ?? $"cohort {c}",
                assets,
                anyLong && anyShort ? "mixed" : anyShort ? "short" : anyLong ? "long" : "none",
                collateral > 0 ? notional / collateral : double.PositiveInfinity,
                notional,
                Proportion.WilsonInterval(totals.LiquidatedPaths[c], n),
                totals.LiquidatedNotional[c] / n,
                totals.BadDebt[c] / n,
                tailTotal > 0 ? tailBadDebt[c] / tailTotal : null));
        }
        return cohorts;
    }

    /// <summary>Bad debt per cohort summed over the tail paths, in path order.</summary>
    private static double[] TailBadDebt(SimulationPlan plan, RiskAccumulator acc)
    {
        long n = acc.Paths;
        int count = (int)Math.Min(TailLevel.CeilTimesComplement(n), acc.Tail(OutputSchema.BadDebt).Capacity);
        var paths = acc.Tail(OutputSchema.BadDebt).Paths.Take(count).Order().ToArray();
        using var backend = new ManagedBackend();
        var sums = backend.BadDebtByCohort(plan, paths);
        return sums;
    }
}
