using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// The files of a run's result, as run, a shard and merge write them: <c>--json</c> and <c>--csv</c>, and the
/// <c>--series</c> and <c>--sample-paths</c> files in each of their forms (Parquet for a name ending in .parquet, JSON for
/// .json, CSV otherwise; "-" for stdout).
/// </summary>
internal static class ResultOutputs
{
    /// <summary>The <c>--json</c> and <c>--csv</c> outputs of <paramref name="result"/>, for <see cref="OutputFiles.WriteAll"/>.</summary>
    public static (string Option, string? Path, Func<string> Text)[] Files(RunResult result, string? json, string? csv) =>
    [
        ("--json", json, () => ResultJson.Serialize(result) + Environment.NewLine),
        ("--csv", csv, () => ResultCsv.Serialize(result)),
    ];

    /// <summary>Whether an output of --series or --sample-paths is Parquet (so the text writers leave it alone).</summary>
    private static bool IsParquet(string? path) => path is not null && path != "-" && ParquetFiles.IsParquet(path);

    /// <summary>Writes the --series and --sample-paths outputs that were asked for: Parquet for a name ending in .parquet,
    /// else JSON for .json and CSV otherwise ("-" for stdout). Returns the failures, one line each naming the option.</summary>
    public static List<string> WriteSeries(TextWriter stdout, RunResult result, string? series, string? samples)
    {
        var failures = new List<string>();
        if (series is not null)
            OutputFiles.Attempt(failures, "--series", series, () =>
            {
                if (IsParquet(series)) ParquetFiles.WriteSeries(series, result.Series!);
                else OutputFiles.Write(series, SeriesFiles.IsJson(series) ? SeriesFiles.SeriesJson(result.Series!) : SeriesFiles.SeriesCsv(result.Series!), stdout);
            });
        if (samples is not null)
            OutputFiles.Attempt(failures, "--sample-paths", samples, () =>
            {
                if (IsParquet(samples)) ParquetFiles.WriteSamplePaths(samples, result.SamplePaths!);
                else OutputFiles.Write(samples, SeriesFiles.IsJson(samples) ? SeriesFiles.SamplePathsJson(result.SamplePaths!) : SeriesFiles.SamplePathsCsv(result.SamplePaths!), stdout);
            });
        return failures;
    }
}
