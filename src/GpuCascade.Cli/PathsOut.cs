using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Cli;

/// <summary>
/// <c>run --paths-out FILE.parquet</c> (every path's outputs as Parquet, written as the blocks are merged, so memory stays
/// bounded) and the <c>--series</c> and <c>--sample-paths</c> files in each of their forms (Parquet for a name ending in
/// .parquet, JSON, CSV).
/// </summary>
internal static class PathsOut
{
    /// <summary>Refuses what --paths-out cannot do, naming both options: stdout, a file name that does not say Parquet,
    /// and a checkpoint (a resumed run simulates only the paths after it, so it could not write the earlier ones).</summary>
    public static void Check(RunArguments a)
    {
        if (a.PathsOutPath is not { } path) return;
        if (path == "-") throw new UsageException("--paths-out: needs a file, not stdout (Parquet is a binary format)");
        if (!ParquetFiles.IsParquet(path))
            throw new UsageException($"--paths-out: writes Parquet; give a file name ending in .parquet, got {Echo.Quote(path)}");
        if (a.CheckpointPath is not null)
            throw new UsageException("--paths-out and --checkpoint cannot be combined: a resumed run simulates only the paths after " +
                                     "the checkpoint, so its --paths-out file would miss the earlier ones; give one of them, or cut " +
                                     "the run into shards (--shard I/N --partial FILE --paths-out FILE: one Parquet file per shard)");
    }

    /// <summary>The writer for <paramref name="a"/>'s --paths-out, or null when it was not asked for.</summary>
    public static PathsParquetWriter? Open(RunArguments a, Scenario asRun, string backend)
    {
        if (a.PathsOutPath is not { } path) return null;
        try
        {
            return new PathsParquetWriter(path, asRun, backend);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--paths-out: cannot write {path}: {e.Message}", e);
        }
    }

    /// <summary>The engine's sink for <paramref name="writer"/>: a write that fails names the option.</summary>
    public static Action<PathOutputs, int, int>? Sink(PathsParquetWriter? writer, string? path) => writer is null ? null : (outputs, from, to) =>
    {
        try
        {
            writer.Add(outputs, from, to);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--paths-out: could not write {path}: {e.Message}", e);
        }
    };

    /// <summary>Completes the file (renamed over the target); a failure joins <paramref name="failures"/>.</summary>
    public static void Commit(PathsParquetWriter? writer, string? path, List<string> failures)
    {
        if (writer is not null) OutputFiles.Attempt(failures, "--paths-out", path!, writer.Commit);
    }

    /// <summary>Whether an output of --series or --sample-paths is Parquet (so the text writers leave it alone).</summary>
    public static bool IsParquet(string? path) => path is not null && path != "-" && ParquetFiles.IsParquet(path);

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
