using GpuCascade.Kernels;
using GpuCascade.Paths;

namespace GpuCascade.Validation;

/// <summary>Compares the per-path outputs of two backends field by field.</summary>
internal static class OutputComparison
{
    /// <summary>
    /// The first difference between <paramref name="expected"/> and <paramref name="actual"/>, or null when they agree:
    /// integer and boolean outputs exactly, real outputs within <paramref name="relative"/> x max(1, |value|).
    /// With <paramref name="includeWork"/> the work counters (margin checks, cohort liquidations) must be equal too:
    /// two backends that screen alike check exactly the same cohorts. Rows whose key is in <paramref name="except"/> are not
    /// compared (a mechanism's own outputs, when two set-ups should agree on everything else).
    /// </summary>
    public static string? FirstDifference(PathOutputs expected, PathOutputs actual, double relative, bool includeWork = true,
        IReadOnlyCollection<string>? except = null)
    {
        if (actual.Count != expected.Count) return $"count: {expected.Count} vs {actual.Count}";
        int count = expected.Count;
        int n = expected.AssetCount;
        string? Compare(OutputRow row)
        {
            for (int i = 0; i < row.Width(n); i++)
            {
                ReadOnlySpan<double> e = expected.Span(row, i), a = actual.Span(row, i);
                string name = row.Shape == OutputShape.PerPath ? row.ParquetName : $"{row.ParquetName}[{i}]";
                for (int p = 0; p < count; p++)
                {
                    // Whole numbers (counts, flags, rounds) exactly; reals within the tolerance (equal infinities, the final
                    // price of a path that overflowed, agree).
                    bool same = row.Storage == OutputStorage.Real
                        ? e[p] == a[p] || Math.Abs(e[p] - a[p]) <= relative * Math.Max(1.0, Math.Max(Math.Abs(e[p]), Math.Abs(a[p])))
                        : e[p] == a[p];
                    if (!same) return $"{name}, path {expected.Start + p}: {e[p]:R} vs {a[p]:R}";
                }
            }
            return null;
        }
        // The outputs first: when a backend diverges, the first differing risk output says more than the work it did.
        var rows = OutputSchema.Rows.Where(r => except is null || !except.Contains(r.Key)).ToList();
        foreach (var row in rows.Where(r => !r.Has(OutputAggregations.Total)))
            if (Compare(row) is { } difference) return difference;
        if (includeWork)
            foreach (var row in rows.Where(r => r.Has(OutputAggregations.Total)))
                if (Compare(row) is { } difference) return difference;
        return null;
    }

    /// <summary>Shares of (path, asset) pairs whose final price differs by more than 1e-4 relative and drawdown by more than 1e-4.</summary>
    public static (double PriceShare, double DrawdownShare) SinglePrecisionDrift(PathOutputs reference, PathOutputs single)
    {
        int total = reference.Count * reference.AssetCount, priceOff = 0, drawdownOff = 0;
        for (int i = 0; i < reference.AssetCount; i++)
            for (int p = 0; p < reference.Count; p++)
            {
                if (Math.Abs(single.Span(OutputSchema.FinalPrice, i)[p] / reference.Span(OutputSchema.FinalPrice, i)[p] - 1) > 1e-4) priceOff++;
                if (Math.Abs(single.Span(OutputSchema.MaxDrawdown, i)[p] - reference.Span(OutputSchema.MaxDrawdown, i)[p]) > 1e-4) drawdownOff++;
            }
        return ((double)priceOff / total, (double)drawdownOff / total);
    }

    /// <summary>The stated tolerance of double-precision parity: 1e-9 relative.</summary>
    public const double DoubleTolerance = 1e-9;
    /// <summary>The stated single-precision tolerance: at most this share of (path, asset) pairs beyond 1e-4.</summary>
    public const double SingleOffShare = 0.01;
}
