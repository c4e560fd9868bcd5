using GpuCascade.Backends;
using GpuCascade.Cli.Shared;
using GpuCascade.Report;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Commands.Run;

/// <summary><c>gpucascade run</c>, and a shard of a run (<c>run --shard I/N --partial FILE</c>).</summary>
internal static class RunCommand
{
    public static int Run(RunArguments a, CommandContext context)
    {
        var (stdout, stderr, cancellation, progressToTerminal) = context;
        OutputFiles.Check([("--json", a.JsonPath), ("--csv", a.CsvPath), ("--log", a.LogPath), ("--checkpoint", a.CheckpointPath),
            ("--partial", a.PartialPath), ("--series", a.SeriesPath), ("--sample-paths", a.SamplePathsFile), ("--report", a.ReportPath),
            ("--paths-out", a.PathsOutPath)], ("scenario file", a.ScenarioPath));
        ReportOutputs.Check(a);
        PathsOut.Check(a);
        if (a.Shard is { } shard) return Shard(a, shard, context);
        if (a.CheckpointPath == "-") throw new UsageException("--checkpoint: needs a file, not stdout");
        var scenario = a.ScenarioPath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.ScenarioPath);
        var asRun = scenario with { Paths = a.Paths ?? scenario.Paths, Seed = a.Seed ?? scenario.Seed };
        CheckSamplePaths(a, asRun.Paths);
        using var backend = BackendCatalog.Create(a.Backend, scenario.Precision, a.Threads, line => stderr.WriteLine(line));
        using var progress = new CommandProgress(a, stderr, progressToTerminal);
        LogManifest(progress, a, asRun, backend);
        var checkpoint = a.CheckpointPath is null ? null : new RunCheckpoint(a.CheckpointPath, asRun, backend.Name, TimeSpan.FromSeconds(a.CheckpointEverySeconds));
        var resume = checkpoint?.Load();
        if (resume is not null)
            progress.Line($"resuming from {resume.Completed.Paths + (resume.Segment?.Paths ?? 0):N0} of {asRun.Paths:N0} paths (checkpoint {a.CheckpointPath})");
        using var pathsOut = PathsOut.Open(a, asRun, backend.Name);
        var result = SimulationEngine.Run(scenario, new RunOptions
        {
            Paths = a.Paths,
            Seed = a.Seed,
            Backend = backend,
            Progress = progress.Progress,
            CommandLine = a.CommandLine,
            Resume = resume,
            OnMerged = checkpoint is null ? null : checkpoint.Save,
            Series = a.SeriesPath is not null,
            SamplePaths = a.SamplePaths,
            PathSink = PathsOut.Sink(pathsOut, a.PathsOutPath),
        }, cancellation);
        progress.Finish();
        foreach (var warning in result.Warnings) progress.Line($"warning: {warning}");

        var failures = OutputFiles.WriteAll(stdout, [
            ("--json", a.JsonPath, () => ResultJson.Serialize(result) + Environment.NewLine),
            ("--csv", a.CsvPath, () => ResultCsv.Serialize(result))]);
        failures.AddRange(SeriesOutputs.WriteSeries(stdout, result, a.SeriesPath, a.SamplePathsFile));
        PathsOut.Commit(pathsOut, a.PathsOutPath, failures);
        failures.AddRange(WriteReport(a, result));
        if (!a.Quiet && !Stdout(a)) stdout.Write(SummaryTable.Format(result));
        int code = ExitCodes.Finish(failures, stderr, result.Run.Cancelled ? ExitCodes.Cancelled : ExitCodes.Ok);
        progress.LogOnly($"finished: {result.Paths:N0} of {result.RequestedPaths:N0} paths in {result.Run.ElapsedSeconds:0.0} s" +
                         $"{(result.Run.Cancelled ? " (stopped)" : "")}; outputs {(failures.Count == 0 ? "written" : "FAILED: " + string.Join("; ", failures))}; exit {code}");
        return code;
    }

    private static int Shard(RunArguments a, (int Index, int Count) shard, CommandContext context)
    {
        var (stdout, stderr, cancellation, progressToTerminal) = context;
        if (a.PartialPath == "-") throw new UsageException("--partial: needs a file, not stdout");
        if (a.ReportPath is not null || a.PlotsDirectory is not null)
            throw new UsageException($"{(a.ReportPath is not null ? "--report" : "--plots")}: a shard has no result of its own; report on the merged one ('gpucascade merge --json FILE', then 'gpucascade report FILE')");
        if (a.JsonPath is not null || a.CsvPath is not null)
            throw new UsageException("--shard writes only its --partial file; 'gpucascade merge' writes --json and --csv");
        var scenario = a.ScenarioPath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.ScenarioPath);
        long paths = a.Paths ?? scenario.Paths;
        CheckSamplePaths(a, paths);
        (long First, long End) range;
        try
        {
            range = Shards.Range(paths, shard.Index, shard.Count);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--shard: {e.Message}");
        }
        using var backend = BackendCatalog.Create(a.Backend, scenario.Precision, a.Threads, line => stderr.WriteLine(line));
        using var progress = new CommandProgress(a, stderr, progressToTerminal);
        LogManifest(progress, a, scenario with { Paths = paths, Seed = a.Seed ?? scenario.Seed }, backend);
        progress.LogOnly($"shard {shard.Index}/{shard.Count}: paths [{range.First:N0}, {range.End:N0}) of {paths:N0}");
        using var pathsOut = PathsOut.Open(a, scenario with { Paths = paths, Seed = a.Seed ?? scenario.Seed }, backend.Name);
        RunResult? shardResult = null;
        var written = Shards.RunShard(scenario, shard.Index, shard.Count, a.PartialPath!, new RunOptions
        {
            Paths = a.Paths, Seed = a.Seed, Backend = backend, Progress = progress.Progress, CommandLine = a.CommandLine,
            Series = a.SeriesPath is not null, SamplePaths = a.SamplePaths, PathSink = PathsOut.Sink(pathsOut, a.PathsOutPath),
        }, cancellation, r => shardResult = r);
        progress.Finish();
        if (written is null)
        {
            progress.Line($"shard {shard.Index}/{shard.Count} stopped before its paths were done: nothing written; run it again");
            return ExitCodes.Cancelled;
        }
        // The shard's own series and sample paths (the partial file keeps them for merge --series / --sample-paths).
        var failures = SeriesOutputs.WriteSeries(stdout, shardResult!, a.SeriesPath, a.SamplePathsFile);
        PathsOut.Commit(pathsOut, a.PathsOutPath, failures); // the shard's paths only: read the shards' files together
        if (!a.Quiet && !Stdout(a)) stdout.WriteLine($"shard {shard.Index}/{shard.Count}: paths [{range.First:N0}, {range.End:N0}) of {paths:N0} written to {a.PartialPath}");
        progress.LogOnly($"finished: shard written to {a.PartialPath}; exit {(failures.Count == 0 ? 0 : 1)}");
        return ExitCodes.Finish(failures, stderr, ExitCodes.Ok);
    }

    /// <summary>The manifest lines of a run's <c>--log</c> after the engine, command and host (a shard writes the same):
    /// the scenario as run and its SHA-256, the backend, the memory estimate.</summary>
    private static void LogManifest(CommandProgress progress, RunArguments a, Scenarios.Scenario asRun, ISimulationBackend backend)
    {
        progress.LogOnly($"scenario: {a.ScenarioPath ?? "the embedded default"}, sha256 {ScenarioJson.Sha256(asRun)}, {asRun.Paths:N0} paths x {asRun.Steps:N0} steps, seed {asRun.Seed}");
        progress.LogOnly($"backend: {backend.Description}");
        int workers = backend is Backends.Managed.ManagedBackend m ? m.Threads : Environment.ProcessorCount;
        progress.LogOnly($"memory estimate: {ResourceEstimate.For(asRun, workers, SimulationEngine.BlockSize * Math.Max(4, 4 * workers), a.SeriesPath is not null, a.SamplePaths)}");
    }

    /// <summary><c>--sample-paths N</c> keeps paths 0 .. N - 1: N cannot exceed the run's paths (the scenario's, or --paths).</summary>
    private static void CheckSamplePaths(RunArguments a, long paths)
    {
        if (a.SamplePaths > paths)
            throw new UsageException($"--sample-paths: {a.SamplePaths:N0} sample paths asked for, but the run has {paths:N0} path{(paths == 1 ? "" : "s")}; " +
                                     $"give at most {paths:N0} (or more paths with --paths)");
    }

    /// <summary>Whether some output goes to stdout (then the summary table does not).</summary>
    private static bool Stdout(RunArguments a) => a.JsonPath == "-" || a.CsvPath == "-" || a.SeriesPath == "-" || a.SamplePathsFile == "-";

    /// <summary>The report and plots of a run: its result and, with <c>--series</c>, its outputs over time.</summary>
    private static List<string> WriteReport(RunArguments a, RunResult result) =>
        ReportOutputs.Write(a, () => ReportInput.From(result, a.JsonPath is { } json && json != "-" ? json : a.ScenarioPath ?? "the embedded default scenario"),
            result.Series is { } s ? () => ReportInput.From(s, a.SeriesPath is { } path && path != "-" ? path : "series") : null);
}
