using GpuCascade.Simulation;

namespace GpuCascade.Validation;

/// <summary>Compares the per-path outputs of two backends field by field.</summary>
public static class OutputComparison
{
    /// <summary>
    /// The first difference between <paramref name="expected"/> and <paramref name="actual"/>, or null when they agree:
    /// integer and boolean outputs exactly, real outputs within <paramref name="relative"/> x max(1, |value|).
    /// With <paramref name="includeWork"/> the work counters (margin checks, cohort liquidations) must be equal too:
    /// two backends that screen alike check exactly the same cohorts.
    /// </summary>
    public static string? FirstDifference(PathOutputs expected, PathOutputs actual, double relative, bool includeWork = true)
    {
        if (actual.Count != expected.Count) return $"count: {expected.Count} vs {actual.Count}";
        int count = expected.Count;
        string? Exact<T>(string name, T[] e, T[] a, int width)
        {
            for (int k = 0; k < count * width; k++)
                if (!EqualityComparer<T>.Default.Equals(e[k], a[k]))
                    return $"{name}, path {expected.Start + k / width}: {e[k]} vs {a[k]}";
            return null;
        }
        string? Reals(string name, double[] e, double[] a, int width)
        {
            for (int k = 0; k < count * width; k++)
            {
                double tolerance = relative * Math.Max(1.0, Math.Max(Math.Abs(e[k]), Math.Abs(a[k])));
                if (!(Math.Abs(e[k] - a[k]) <= tolerance))
                    return $"{name}, path {expected.Start + k / width}: {e[k]:R} vs {a[k]:R}";
            }
            return null;
        }
        int n = expected.AssetCount;
        // The outputs first: when a backend diverges, the first differing risk output says more than the work it did.
        return Exact("maxRoundsInStep", expected.MaxRoundsInStep, actual.MaxRoundsInStep, 1)
            ?? Exact("roundCapHit", expected.RoundCapHit, actual.RoundCapHit, 1)
            ?? Exact("cascade", expected.Cascade, actual.Cascade, 1)
            ?? Reals("badDebt", expected.BadDebt, actual.BadDebt, 1)
            ?? Reals("badDebtPaid", expected.BadDebtPaid, actual.BadDebtPaid, 1)
            ?? Reals("uncoveredLoss", expected.UncoveredLoss, actual.UncoveredLoss, 1)
            ?? Reals("penalties", expected.Penalties, actual.Penalties, 1)
            ?? Reals("fundEnd", expected.FundEnd, actual.FundEnd, 1)
            ?? Reals("fundMin", expected.FundMin, actual.FundMin, 1)
            ?? Reals("liquidatedNotional", expected.LiquidatedNotional, actual.LiquidatedNotional, 1)
            ?? Reals("closedUnitsShare", expected.ClosedUnitsShare, actual.ClosedUnitsShare, 1)
            ?? Reals("liquidatedNotionalByAsset", expected.LiquidatedNotionalByAsset, actual.LiquidatedNotionalByAsset, n)
            ?? Reals("maxDrawdown", expected.MaxDrawdown, actual.MaxDrawdown, n)
            ?? Reals("exogenousMaxDrawdown", expected.ExogenousMaxDrawdown, actual.ExogenousMaxDrawdown, n)
            ?? Reals("maxDisplacement", expected.MaxDisplacement, actual.MaxDisplacement, n)
            ?? Reals("finalPrice", expected.FinalPrice, actual.FinalPrice, n)
            ?? (includeWork ? Exact("marginChecks", expected.MarginChecks, actual.MarginChecks, 1) : null)
            ?? (includeWork ? Exact("cohortLiquidations", expected.CohortLiquidations, actual.CohortLiquidations, 1) : null);
    }

    /// <summary>Shares of (path, asset) pairs whose final price differs by more than 1e-4 relative and drawdown by more than 1e-4.</summary>
    public static (double PriceShare, double DrawdownShare) SinglePrecisionDrift(PathOutputs reference, PathOutputs single)
    {
        int total = reference.Count * reference.AssetCount, priceOff = 0, drawdownOff = 0;
        for (int k = 0; k < total; k++)
        {
            if (Math.Abs(single.FinalPrice[k] / reference.FinalPrice[k] - 1) > 1e-4) priceOff++;
            if (Math.Abs(single.MaxDrawdown[k] - reference.MaxDrawdown[k]) > 1e-4) drawdownOff++;
        }
        return ((double)priceOff / total, (double)drawdownOff / total);
    }

    /// <summary>The stated tolerance of double-precision parity: 1e-9 relative.</summary>
    public const double DoubleTolerance = 1e-9;
    /// <summary>The stated single-precision tolerance: at most this share of (path, asset) pairs beyond 1e-4.</summary>
    public const double SingleOffShare = 0.01;
}
