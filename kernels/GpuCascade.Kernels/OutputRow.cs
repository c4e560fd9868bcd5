namespace GpuCascade.Kernels;

/// <summary>Whether an output is one number per path or one per asset of each path.</summary>
public enum OutputShape
{
    /// <summary>One number per path.</summary>
    PerPath,
    /// <summary>One number per asset of each path (JSON under <c>assets.SYMBOL</c>, Parquet column <c>NAME_SYMBOL</c>).</summary>
    PerAsset,
}

/// <summary>What kind of number an output is: how the paths file stores it and how exactly two backends must agree on it.</summary>
public enum OutputStorage
{
    /// <summary>A real number (double).</summary>
    Real,
    /// <summary>A small whole number (int).</summary>
    Integer,
    /// <summary>A count that may pass 2^31 (long), summed exactly.</summary>
    Count,
    /// <summary>0 or 1 (bool).</summary>
    Flag,
}

/// <summary>How the run aggregates an output over paths.</summary>
[Flags]
public enum OutputAggregations
{
    /// <summary>Kept per path only (the paths file).</summary>
    None = 0,
    /// <summary>Mean with its Monte Carlo standard error.</summary>
    Mean = 1,
    /// <summary>The probability that it is positive, with a Wilson 95% interval.</summary>
    Positive = 2,
    /// <summary>Exact tail: VaR and ES at 95%, 99%, 99.9%, with 95% intervals.</summary>
    Tail = 4,
    /// <summary>Counts on the row's fixed bins.</summary>
    Histogram = 8,
    /// <summary>An exact total over paths (work counters).</summary>
    Total = 16,
    /// <summary>Its mean, probability and tail figures are metrics <c>compare</c> reports and <c>calibrate</c> can target.</summary>
    Target = 32,
}

/// <summary>
/// One row of the output schema: a per-path output of the model, where the model writes it, what it is called in every
/// file, its unit and how the run aggregates it. The accumulators, the accumulator and checkpoint files, the JSON, CSV
/// and Parquet files, the calibration metrics and the report all loop over the rows.
/// </summary>
/// <param name="Key">The output's name, as a path in the JSON result: the mean of a per-path row is written at
/// <c>Key.mean</c> (<c>adl.lossAbsorbed.mean</c>), of a per-asset row at <c>assets.SYMBOL.Key.mean</c>.</param>
/// <param name="ParquetName">The column in the paths file (per asset: <c>ParquetName_SYMBOL</c>).</param>
/// <param name="Shape">Per path or per asset.</param>
/// <param name="Slot">The model's real slot (<see cref="PathOutput"/>); per asset, the per-asset field.</param>
/// <param name="Storage">Real, integer, count or flag.</param>
/// <param name="Unit">The unit, in words (<c>USD</c>, <c>fraction</c>, <c>steps</c>).</param>
/// <param name="Aggregations">How the run aggregates it.</param>
/// <param name="Label">What it is, in a few words, for the report and the help.</param>
public sealed record OutputRow(string Key, string ParquetName, OutputShape Shape, int Slot, OutputStorage Storage, string Unit,
    OutputAggregations Aggregations, string Label)
{
    /// <summary>The JSON key of its probability of being positive (<c>probabilities.adl</c>); null when it has none.</summary>
    public string? ProbabilityKey { get; init; }
    /// <summary>What its probability is the probability of, in words (<c>bad debt &gt; 0</c>); null: "LABEL &gt; 0".</summary>
    public string? ProbabilityLabel { get; init; }
    /// <summary>The edges of its histogram's bins; empty without <see cref="OutputAggregations.Histogram"/>.</summary>
    public IReadOnlyList<double> HistogramEdges { get; init; } = [];
    /// <summary>The mechanism it belongs to (its JSON object, <c>adl</c>); null for the core outputs, which the results
    /// carry as typed figures.</summary>
    public string? Mechanism { get; init; }

    /// <summary>Its name inside its mechanism's JSON object (<c>adl.lossAbsorbed</c>: <c>lossAbsorbed</c>); the key for a
    /// core row.</summary>
    public string MemberName => Mechanism is null ? Key : Key[(Mechanism.Length + 1)..];

    /// <summary>Its probability's name inside the JSON's <c>probabilities</c> object (<c>probabilities.adl</c>: <c>adl</c>);
    /// null when it has none.</summary>
    public string? ProbabilityName => ProbabilityKey?[(ProbabilityKey.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>Whether it is aggregated by <paramref name="aggregation"/>.</summary>
    public bool Has(OutputAggregations aggregation) => (Aggregations & aggregation) == aggregation;

    /// <summary>Its columns for <paramref name="assets"/> assets: 1 per path, one per asset.</summary>
    public int Width(int assets) => Shape == OutputShape.PerPath ? 1 : assets;

    /// <summary>The model's slot for asset <paramref name="asset"/> of <paramref name="assets"/> (per path: <see cref="Slot"/>).</summary>
    public int KernelSlot(int assets, int asset) => Shape == OutputShape.PerPath ? Slot : PathOutput.AssetSlot(Slot, assets, asset);
}
