using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;

namespace GpuCascade.Cli.Commands.Run;

/// <summary>
/// <c>run --paths-out FILE.parquet</c>: every path's outputs as Parquet, written as the blocks are merged, so memory stays
/// bounded.
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
    public static PathsParquetWriter? Open(RunArguments a, Scenarios.Scenario asRun, string backend)
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
}
