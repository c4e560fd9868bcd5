namespace GpuCascade.Statistics;

/// <summary>
/// Per-cohort sums over a block of paths, for the attribution of liquidations and bad debt to cohorts: paths on which
/// the cohort was liquidated (any fill), notional liquidated, and bad debt it left. Filled path by path in path order
/// by every backend alike and merged in block order, so the totals are bit-identical whatever the device or batch.
/// </summary>
internal sealed class CohortTotals
{
    /// <summary>Zero totals for <paramref name="cohorts"/> cohorts.</summary>
    public CohortTotals(int cohorts)
    {
        LiquidatedPaths = new long[cohorts];
        LiquidatedNotional = new double[cohorts];
        BadDebt = new double[cohorts];
    }

    /// <summary>Paths on which the cohort was liquidated at least once.</summary>
    public long[] LiquidatedPaths { get; }
    /// <summary>Notional liquidated from the cohort, summed over the paths (at execution prices).</summary>
    public double[] LiquidatedNotional { get; }
    /// <summary>Bad debt the cohort left on closing, summed over the paths.</summary>
    public double[] BadDebt { get; }

    /// <summary>Cohorts.</summary>
    public int Count => BadDebt.Length;

    /// <summary>Adds one path on which cohort <paramref name="cohort"/> was liquidated.</summary>
    public void Add(int cohort, double liquidatedNotional, double badDebt)
    {
        LiquidatedPaths[cohort]++;
        LiquidatedNotional[cohort] += liquidatedNotional;
        BadDebt[cohort] += badDebt;
    }

    /// <summary>Adds the totals of <paramref name="next"/>, the block that follows.</summary>
    public void Merge(CohortTotals next)
    {
        for (int c = 0; c < Count; c++)
        {
            LiquidatedPaths[c] += next.LiquidatedPaths[c];
            LiquidatedNotional[c] += next.LiquidatedNotional[c];
            BadDebt[c] += next.BadDebt[c];
        }
    }
}
