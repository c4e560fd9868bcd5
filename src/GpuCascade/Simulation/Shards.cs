using System.Diagnostics;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Simulation;

/// <summary>
/// A run cut into shards for several machines (or GPUs) and merged back exactly. Shard i of n simulates a contiguous
/// range of whole segments (<see cref="SimulationEngine.SegmentPaths"/> paths) and writes a partial file: its total and
/// each segment's accumulators. <see cref="Merge"/> checks that the parts belong together (same scenario as run, engine
/// build, backend; the ranges complete, none missing or overlapping) and folds the segments in path order, as the
/// one-shot run does: the result is identical to it, outside <c>run</c>, bit for bit (exact tails and intervals too).
/// </summary>
internal static class Shards
{
    /// <summary>Paths [first, end) of shard <paramref name="index"/> (0-based) of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentException">The index is out of range, or there are fewer segments than shards.</exception>
    public static (long First, long End) Range(long totalPaths, int index, int count)
    {
        if (count < 1 || index < 0 || index >= count) throw new ArgumentException($"shard {index}/{count}: the index must be in 0 .. {count - 1}");
        long segments = (totalPaths + SimulationEngine.SegmentPaths - 1) / SimulationEngine.SegmentPaths;
        if (segments < count)
            throw new ArgumentException($"{totalPaths:N0} paths make {segments} segment{(segments == 1 ? "" : "s")} of {SimulationEngine.SegmentPaths:N0} paths; use at most {segments} shard{(segments == 1 ? "" : "s")}");
        long a = segments * index / count, b = segments * (index + 1) / count;
        return (a * SimulationEngine.SegmentPaths, Math.Min(totalPaths, b * SimulationEngine.SegmentPaths));
    }

    /// <summary>Runs shard <paramref name="index"/> of <paramref name="count"/> and writes its partial file
    /// (<paramref name="partialPath"/>); <paramref name="finished"/>, when given, sees the shard's own result (its paths
    /// only) once the file is written. <paramref name="options"/> and <paramref name="cancellation"/> are as for a run of
    /// <paramref name="scenario"/>.</summary>
    /// <returns>The shard's range, or null when the run was stopped (nothing is written: rerun the shard).</returns>
    public static (long First, long End)? RunShard(Scenario scenario, int index, int count, string partialPath, RunOptions? options = null,
        CancellationToken cancellation = default, Action<RunResult>? finished = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        options ??= new RunOptions();
        var asRun = scenario with { Paths = options.Paths ?? scenario.Paths, Seed = options.Seed ?? scenario.Seed };
        var (first, end) = Range(asRun.Paths, index, count);
        var segments = new List<byte[]>(); // serialised without tails: a long shard keeps only moments per segment
        void Keep(RiskAccumulator segment)
        {
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream)) segment.WriteTo(w, tails: false);
            segments.Add(stream.ToArray());
        }
        RiskAccumulator? total = null;
        bool own = options.Backend is null;
        var backend = options.Backend ?? new Backends.Managed.ManagedBackend();
        try
        {
            var result = SimulationEngine.RunAccumulators(asRun, options with
            {
                Backend = backend, Paths = null, Seed = null, FirstPath = first, EndPath = end, OnSegment = Keep,
                OnFinished = acc => total = acc, SkipAttribution = true,
            }, cancellation);
            if (result.Paths < end - first || total is null) return null;
            var header = new AccumulatorHeader("partial", ScenarioJson.Sha256(asRun), EngineInfo.BuildId, backend.Name, asRun.Paths, first, end,
                asRun.History?.BaseDirectory);
            AccumulatorFile.Write(partialPath, header, ScenarioJson.Canonical(asRun), 1 + segments.Count, w =>
            {
                total.WriteTo(w);
                foreach (var bytes in segments) w.Write(bytes);
            });
            finished?.Invoke(result);
            return (first, end);
        }
        finally
        {
            if (own) backend.Dispose();
        }
    }

    /// <summary>The number of assets the plan of a scenario's canonical JSON has, without binding it (which would read a
    /// history's files): its assets, times its venues when it has several (the plan's assets are then the markets,
    /// docs/model.md section 9).</summary>
    private static int AssetCount(string json)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            int assets = document.RootElement.GetProperty("assets").GetArrayLength();
            return document.RootElement.TryGetProperty("venues", out var venues) ? assets * venues.GetArrayLength() : assets;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"its scenario is not a scenario's JSON ({e.Message})");
        }
    }

    /// <summary>Merges partial files into the result of the whole run.</summary>
    /// <exception cref="CheckpointException">A file is unreadable, or the parts do not fit (each problem named).</exception>
    public static RunResult Merge(IReadOnlyList<string> partialPaths, string? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(partialPaths);
        if (partialPaths.Count == 0) throw new CheckpointException("nothing to merge: give the partial files of every shard");
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var parts = partialPaths.Select(p =>
        {
            var (header, json, accumulators) = AccumulatorFile.Read(p, AssetCount, "partial file");
            if (header.Kind != "partial") throw new CheckpointException($"{p}: a {header.Kind} file, not a shard's partial file");
            return (Path: p, Header: header, Json: json, Accumulators: accumulators);
        }).ToList();
        var reference = parts[0];
        var problems = new List<string>();
        foreach (var part in parts.Skip(1))
        {
            if (part.Header.ScenarioSha256 != reference.Header.ScenarioSha256)
                problems.Add($"{part.Path}: another scenario as run than {reference.Path} (sha256 {part.Header.ScenarioSha256[..12]}... vs {reference.Header.ScenarioSha256[..12]}...)");
            else if (part.Header.EngineBuild != reference.Header.EngineBuild)
                problems.Add($"{part.Path}: written by another build of the engine than {reference.Path}");
            else if (part.Header.Backend != reference.Header.Backend)
                problems.Add($"{part.Path}: backend {part.Header.Backend}, {reference.Path} used {reference.Header.Backend} (their bits differ)");
            else if ((part.Accumulators[0].Series is null) != (reference.Accumulators[0].Series is null))
                problems.Add($"{part.Path} and {reference.Path}: one shard ran with --series, the other without; rerun it the same way");
            else if ((part.Accumulators[0].Samples?.Count ?? 0) != (reference.Accumulators[0].Samples?.Count ?? 0))
                problems.Add($"{part.Path} and {reference.Path}: the shards ran with different --sample-paths; rerun them the same way");
        }
        if (reference.Header.EngineBuild != EngineInfo.BuildId)
            problems.Add($"{reference.Path}: written by another build of the engine; merge with the build that ran the shards");
        if (problems.Count > 0) throw new CheckpointException(string.Join("\n", problems));

        long total = reference.Header.TotalPaths, next = 0;
        string? previous = null;
        foreach (var part in parts.OrderBy(p => p.Header.FirstPath).ThenBy(p => p.Header.EndPath))
        {
            var h = part.Header;
            if (h.FirstPath > next) problems.Add($"paths [{next:N0}, {h.FirstPath:N0}) are in no file (a shard is missing)");
            else if (h.FirstPath < next) problems.Add($"{previous} and {part.Path} both hold paths [{h.FirstPath:N0}, {Math.Min(next, h.EndPath):N0})");
            next = Math.Max(next, h.EndPath);
            previous = part.Path;
            long segmentPaths = part.Accumulators.Skip(1).Sum(a => a.Paths);
            if (part.Accumulators[0].Paths != h.EndPath - h.FirstPath || segmentPaths != h.EndPath - h.FirstPath)
                problems.Add($"{part.Path}: its content does not match its header");
        }
        if (next < total) problems.Add($"paths [{next:N0}, {total:N0}) are in no file (a shard is missing)");
        if (problems.Count > 0) throw new CheckpointException(string.Join("\n", problems));

        // A history's files are found where the shard found them, else from the current directory.
        string? directory = reference.Header.ScenarioDirectory is { } d && Directory.Exists(d) ? d : null;
        var scenario = ScenarioLoader.LoadJson(reference.Json, directory);
        var plan = SimulationPlan.Build(scenario);
        var ordered = parts.OrderBy(p => p.Header.FirstPath).ToList();
        var result = new RiskAccumulator(plan.AssetCount, total);
        foreach (var part in ordered)
            foreach (var segment in part.Accumulators.Skip(1)) result.MergeMoments(segment);
        foreach (var part in ordered) result.MergeCounts(part.Accumulators[0]);
        var attribution = CohortAttributionBuilder.Build(plan, result);
        clock.Stop();
        return ResultBuilder.Build(plan, result, reference.Header.Backend, new RunInfo(
            $"merged from {parts.Count} partial file{(parts.Count == 1 ? "" : "s")}", clock.Elapsed.TotalSeconds, 0, false, started,
            Environment.MachineName, EngineInfo.Version)
        {
            CommandLine = commandLine,
            MergedFrom = [.. ordered.Select(p => $"{p.Path} [{p.Header.FirstPath}, {p.Header.EndPath})")],
        }, attribution);
    }
}
