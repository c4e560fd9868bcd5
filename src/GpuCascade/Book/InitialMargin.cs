using System.Collections.Immutable;
using GpuCascade.Scenarios;

namespace GpuCascade.Book;

/// <summary>What happens to a cohort that a candidate (or regime) puts below its initial margin.</summary>
public enum BreachRule
{
    /// <summary>Its positions are scaled down until E = IM (the default).</summary>
    Deleverage,
    /// <summary>It is liquidated in an opening round at the starting prices, before step 0's exogenous move.</summary>
    Liquidate,
}

/// <summary>
/// The initial-margin rule under which <c>compare</c> and <c>calibrate</c> hold a book fixed while the margin rules
/// (or the volatility regime) change: IM = M / 0.8 at the starting prices, M the maintenance requirement (the book
/// generator's leverage cap), and the deleveraging of the cohorts that a candidate puts below it (docs/calibration.md).
/// </summary>
internal static class InitialMargin
{
    /// <summary>IM = M / <see cref="MaintenanceShare"/>: maintenance is 80% of initial margin.</summary>
    public const double MaintenanceShare = 0.8;

    /// <summary>
    /// Applies the deleveraging rule to <paramref name="cohorts"/> under <paramref name="candidate"/>'s margin rules and
    /// volatilities. A cohort needs equity E &gt;= R M at the starting prices, R = 1/0.8, or R = E/M under
    /// <paramref name="reference"/> when the cohort already started below its initial margin there (positions that moved
    /// against it since entry: it keeps the headroom it had). A cohort below that has all its positions scaled by the s in
    /// (0, 1] with E = R M(s); the removed part closes at the starting price, its profit or loss booked to the USD
    /// balance, so E does not change.
    /// </summary>
    /// <returns>The cohorts and the gross notional removed, at the starting prices.</returns>
    public static (ImmutableArray<CohortSpec> Cohorts, double DeleveragedNotional) Deleverage(
        Scenario candidate, Scenario reference, ImmutableArray<CohortSpec> cohorts)
    {
        var result = ImmutableArray.CreateBuilder<CohortSpec>(cohorts.Length);
        double removed = 0;
        foreach (var cohort in cohorts)
        {
            if (!Breaches(candidate, reference, cohort, out double equity, out double ratio, out double gross))
            {
                result.Add(cohort);
                continue;
            }
            // M(s) grows with s (linear, or piecewise linear across tiers): bisect for the largest s with E >= R M(s).
            double lo = 0, hi = 1;
            for (int k = 0; k < 80 && hi - lo > 1e-15; k++)
            {
                double mid = 0.5 * (lo + hi);
                if (equity >= ratio * MaintenanceMargin.AtStart(candidate, Scaled(candidate, cohort, mid)).Requirement) lo = mid;
                else hi = mid;
            }
            var scaled = Scaled(candidate, cohort, lo);
            removed += (1 - lo) * gross;
            result.Add(scaled);
        }
        return (result.MoveToImmutable(), removed);
    }

    /// <summary>
    /// Marks the cohorts that <paramref name="candidate"/> puts below their initial margin (as in
    /// <see cref="Deleverage"/>) for liquidation in the opening round, at the starting prices before step 0's exogenous
    /// move, with impact, penalty and bad debt as in any round (<see cref="CohortSpec.LiquidateAtStart"/>).
    /// </summary>
    /// <returns>The cohorts and the gross notional of those marked, at the starting prices.</returns>
    public static (ImmutableArray<CohortSpec> Cohorts, double MarkedNotional) MarkForOpeningRound(
        Scenario candidate, Scenario reference, ImmutableArray<CohortSpec> cohorts)
    {
        var result = ImmutableArray.CreateBuilder<CohortSpec>(cohorts.Length);
        double marked = 0;
        foreach (var cohort in cohorts)
        {
            bool breach = Breaches(candidate, reference, cohort, out _, out _, out double gross);
            if (breach) marked += gross;
            result.Add(breach ? cohort with { LiquidateAtStart = true } : cohort);
        }
        return (result.MoveToImmutable(), marked);
    }

    /// <summary>Whether the cohort's equity is below the ratio it must keep times its requirement under the candidate.</summary>
    private static bool Breaches(Scenario candidate, Scenario reference, CohortSpec cohort, out double equity, out double ratio, out double gross)
    {
        (equity, double requirement, gross) = MaintenanceMargin.AtStart(candidate, cohort);
        ratio = RequiredRatio(reference, cohort);
        return equity < ratio * requirement && requirement > 0 && equity > 0;
    }

    /// <summary>E / M the cohort must keep: 1/0.8, or less where the reference already had it below.</summary>
    private static double RequiredRatio(Scenario reference, CohortSpec cohort)
    {
        var (equity, requirement, _) = MaintenanceMargin.AtStart(reference, cohort);
        const double full = 1 / MaintenanceShare;
        return requirement > 0 && equity < full * requirement ? equity / requirement : full;
    }

    /// <summary>Positions scaled by <paramref name="s"/>; the closed part's P&amp;L at the starting prices booked to the USD
    /// balance (moved into the first position's entry price when it would make the balance negative, so equity stays).</summary>
    private static CohortSpec Scaled(Scenario scenario, CohortSpec cohort, double s)
    {
        double realised = 0;
        foreach (var p in cohort.Positions) realised += (1 - s) * p.Units * (scenario.Assets[p.AssetIndex].Price - p.EntryPrice);
        var positions = cohort.Positions.Select(p => p with { Units = s * p.Units }).ToArray();
        double usd = cohort.UsdCollateral + realised;
        if (usd < 0 && positions.Length > 0)
        {
            // Keep the balance at 0 and carry the deficit as a worse entry: q' (p0 - e') = q' (p0 - e) + usd.
            positions[0] = positions[0] with { EntryPrice = positions[0].EntryPrice - usd / positions[0].Units };
            usd = 0;
        }
        return cohort with { Positions = [.. positions], UsdCollateral = usd };
    }
}
