using System.Globalization;
using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Scenarios;

namespace GpuCascade.Simulation;

/// <summary>
/// The host memory a run will need, estimated from the scenario before anything is built: the book (listed and
/// generated cohorts, their plan arrays), every worker's path state, the batch's outputs and per-block cohort totals,
/// the exact tails. A run that cannot fit is refused up front (exit 2 from the CLI) instead of failing, or swapping,
/// hours later. The figures are estimates (object overheads are approximated), on the side of too much.
/// </summary>
/// <param name="Bytes">Estimated peak host memory of the run.</param>
/// <param name="AvailableBytes">Memory the process may use (the GC's view: physical memory or the container's limit).</param>
/// <param name="Parts">The larger parts, by name, in bytes.</param>
internal sealed record ResourceEstimate(long Bytes, long AvailableBytes, IReadOnlyList<KeyValuePair<string, long>> Parts)
{
    /// <summary>Bytes a cohort costs on the host: its spec record and positions, the plan's arrays, the packed copy.</summary>
    public const long BytesPerCohort = 640;
    /// <summary>Share of the available memory a run may plan to use.</summary>
    public const double UsableShare = 0.9;

    /// <summary>Whether the run fits.</summary>
    public bool Fits => Bytes <= UsableShare * AvailableBytes;

    /// <summary>"about 1.2 GiB (book 0.9 GiB, ...)".</summary>
    public override string ToString() =>
        $"about {GiB(Bytes)} ({string.Join(", ", Parts.Where(p => p.Value >= (1 << 20)).Select(p => $"{p.Key} {GiB(p.Value)}"))})";

    private static string GiB(long bytes) => bytes < 1L << 30
        ? (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1073741824.0).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";

    /// <summary>The estimate of a run of <paramref name="scenario"/> (with its path count) on <paramref name="workers"/>
    /// concurrent paths in batches of <paramref name="batchPaths"/>.</summary>
    public static ResourceEstimate For(Scenario scenario, int workers, int batchPaths, bool series = false, int samplePaths = 0)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        long n = scenario.Assets.IsDefault ? 0 : scenario.Assets.Length;
        long cohorts = (scenario.Book.Cohorts.IsDefault ? 0 : scenario.Book.Cohorts.Length)
                       + (scenario.Book.Generator is { Assets.IsDefault: false } g ? (long)g.CohortsPerAsset * g.Assets.Length : 0);
        long delay = OracleModule.EffectiveDelay(scenario.Venue.OracleDelaySteps, scenario.Steps);
        long groups = PathState.ScreenGroups((int)Math.Min(n, 1 << 20));
        long realSlots = PathState.AssetFields * n + n + 3 + delay * n + groups + PathState.CohortRealFields * cohorts
                         + MechanismCatalogue.RegionSlots(scenario);
        long intSlots = PathState.CohortIntFields * cohorts + (cohorts + 31) / 32 + groups;
        long stateBytes = 8 * realSlots + 4 * intSlots;
        long batch = Math.Min(batchPaths, Math.Max(1, scenario.Paths));
        long blocks = (batch + SimulationEngine.BlockSize - 1) / SimulationEngine.BlockSize;
        long outputBytes = 2 * batch * (8L * PathOutput.RealSlots((int)Math.Min(n, 1 << 20)) + 4L * PathOutput.IntFields);
        long cohortTotals = (blocks + 2) * cohorts * (2 * sizeof(double) + sizeof(long));
        long tailValues = Math.Min(scenario.Paths, (long)(0.06 * scenario.Paths) + 4096); // 5% and its interval's margin
        long tails = 2L * 16 * tailValues;
        var parts = new List<KeyValuePair<string, long>>
        {
            new("book", cohorts * BytesPerCohort),
            new("path state", workers * stateBytes),
            new("outputs", outputBytes),
            new("per-cohort totals", cohortTotals),
            new("exact tails", tails),
        };
        if (series || samplePaths > 0)
        {
            // The paths' records (the backend's block and the outputs, a batch each) and the series' accumulators (the run,
            // its segment, and a copy at the end).
            long rows = (long)scenario.Steps + 1, fields = Kernels.PathSeries.Fields((int)Math.Min(n, 1 << 20));
            long recordsPerPath = 8 * rows * fields;
            long recordPaths = Math.Max(SimulationEngine.BlockSize, Math.Min(batch, SimulationEngine.SeriesBatchBytes / recordsPerPath));
            parts.Add(new("path records", 2 * recordPaths * recordsPerPath));
            if (series) parts.Add(new("series", 3 * SeriesAccumulator.BytesFor(n, rows)));
            if (samplePaths > 0) parts.Add(new("sample paths", 2L * samplePaths * recordsPerPath));
        }
        long total = 64L << 20; // the runtime and the libraries
        foreach (var (_, bytes) in parts) total += bytes;
        if (realSlots > int.MaxValue || intSlots > int.MaxValue || tailValues > Array.MaxLength)
            total = long.MaxValue; // a path's state, or the exact tail, cannot even be indexed
        return new ResourceEstimate(total, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, parts);
    }

    /// <summary>Throws a <see cref="ScenarioException"/> naming the estimate and the limit when the run does not fit.</summary>
    public void EnsureFits()
    {
        if (Fits) return;
        string what = Bytes == long.MaxValue
            ? "a path's state (cohorts x 6, or oracleDelaySteps x assets) or the exact tail (5% of the paths) would hold more " +
              "than 2^31 values; it cannot be indexed"
            : $"the run needs {this}, more than {UsableShare:P0} of the {GiB(AvailableBytes)} available";
        throw new ScenarioException(new ScenarioError("", $"{what}: use fewer cohorts, a shorter oracle delay or fewer paths (or shards)"));
    }
}
