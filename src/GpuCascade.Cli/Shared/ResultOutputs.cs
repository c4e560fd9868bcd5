using GpuCascade.Reporting;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// The <c>--series</c> and <c>--sample-paths</c> files of run, shard and merge in each of their forms: Parquet for a name
/// ending in .parquet, JSON for .json, CSV otherwise ("-" for stdout).
/// </summary>
internal static class SeriesOutputs
{
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
