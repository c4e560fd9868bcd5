using System.Globalization;
using GpuCascade.Backends;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Calibration;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;

namespace GpuCascade.Cli;

/// <summary>The <c>gpucascade</c> command line; <see cref="Run"/> is testable without a console.</summary>
public static class CliApp
{
    /// <summary>Success.</summary>
    public const int ExitOk = 0;
    /// <summary>The run failed while computing.</summary>
    public const int ExitFailure = 1;
    /// <summary>Invalid input: a bad scenario or bad arguments.</summary>
    public const int ExitInvalidInput = 2;
    /// <summary>calibrate: no value in the range meets every target (the response curve is still reported).</summary>
    public const int ExitTargetUnreachable = 3;
    /// <summary>calibrate: a value meets every target on the calibration's paths but not when rerun on fresh paths (the
    /// out-of-sample check); the result is still reported, with the verdict at its top.</summary>
    public const int ExitOutOfSampleFailed = 4;
    /// <summary>Stopped by Ctrl-C; the partial result was still reported.</summary>
    public const int ExitCancelled = 130;
    /// <summary>Stopped by SIGTERM (128 + 15); the partial result was still reported.</summary>
    public const int ExitTerminated = 143;
    /// <summary>Stopped by SIGHUP (128 + 1); the partial result was still reported.</summary>
    public const int ExitHangup = 129;

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default,
        bool progressToTerminal = false)
    {
        try
        {
            var commandLine = new CommandLine(
                run: a => RunCommand(a, stdout, stderr, cancellation, progressToTerminal),
                compare: a => CalibrationCommands.Compare(a, stdout, stderr, cancellation, progressToTerminal),
                calibrate: a => CalibrationCommands.Calibrate(a, stdout, stderr, cancellation, progressToTerminal),
                merge: a => MergeCommand(a, stdout, stderr),
                devices: () => DevicesCommand(stdout),
                selftest: (only, require) => SelfTestCommand(only, require, stdout, stderr),
                bench: a => BenchCommand.Run(a, stdout, stderr, cancellation),
                report: a => ReportCommand.Run(a, stdout, stderr),
                scenario: a => ScenarioCommand.Run(a, stdout));
            return commandLine.Invoke(args, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run 'gpucascade --help' for usage.");
            return ExitInvalidInput;
        }
        catch (BackendUnavailableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitInvalidInput;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is DeviceException or SimulationException))
        {
            foreach (var inner in e.InnerExceptions) stderr.WriteLine($"error: {inner.Message}");
            return ExitFailure;
        }
        catch (Exception e) when (e is CheckpointException or Operations.InputFileException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitInvalidInput;
        }
        catch (ScenarioException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            return ExitInvalidInput;
        }
        catch (Exception e) when (e is DeviceException or SimulationException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitFailure;
        }
    }

    private static int RunCommand(RunArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellation,
        bool progressToTerminal)
    {
        OutputFiles.Check([("--json", a.JsonPath), ("--csv", a.CsvPath), ("--log", a.LogPath), ("--checkpoint", a.CheckpointPath),
            ("--partial", a.PartialPath), ("--series", a.SeriesPath), ("--sample-paths", a.SamplePathsFile), ("--report", a.ReportPath),
            ("--paths-out", a.PathsOutPath)], ("scenario file", a.ScenarioPath));
        ReportCommand.Check(a);
        PathsOut.Check(a);
        if (a.Shard is { } shard) return ShardCommand(a, shard, stdout, stderr, cancellation, progressToTerminal);
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
        failures.AddRange(PathsOut.WriteSeries(stdout, result, a.SeriesPath, a.SamplePathsFile));
        PathsOut.Commit(pathsOut, a.PathsOutPath, failures);
        failures.AddRange(ReportCommand.WriteRun(a, result));
        if (!a.Quiet && !Stdout(a)) stdout.Write(SummaryTable.Format(result));
        int code = Finish(failures, stderr, result.Run.Cancelled ? ExitCancelled : ExitOk);
        progress.LogOnly($"finished: {result.Paths:N0} of {result.RequestedPaths:N0} paths in {result.Run.ElapsedSeconds:0.0} s" +
                         $"{(result.Run.Cancelled ? " (stopped)" : "")}; outputs {(failures.Count == 0 ? "written" : "FAILED: " + string.Join("; ", failures))}; exit {code}");
        return code;
    }

    private static int ShardCommand(RunArguments a, (int Index, int Count) shard, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellation, bool progressToTerminal)
    {
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
            return ExitCancelled;
        }
        // The shard's own series and sample paths (the partial file keeps them for merge --series / --sample-paths).
        var failures = PathsOut.WriteSeries(stdout, shardResult!, a.SeriesPath, a.SamplePathsFile);
        PathsOut.Commit(pathsOut, a.PathsOutPath, failures); // the shard's paths only: read the shards' files together
        if (!a.Quiet && !Stdout(a)) stdout.WriteLine($"shard {shard.Index}/{shard.Count}: paths [{range.First:N0}, {range.End:N0}) of {paths:N0} written to {a.PartialPath}");
        progress.LogOnly($"finished: shard written to {a.PartialPath}; exit {(failures.Count == 0 ? 0 : 1)}");
        return Finish(failures, stderr, ExitOk);
    }

    private static int MergeCommand(MergeArguments a, TextWriter stdout, TextWriter stderr)
    {
        OutputFiles.Check([("--json", a.JsonPath), ("--csv", a.CsvPath), ("--series", a.SeriesPath), ("--sample-paths", a.SamplePathsFile)],
            [.. a.Files.Select(f => ("partial file", (string?)f))]);
        var result = Shards.Merge(a.Files, a.CommandLine);
        if (a.SeriesPath is not null && result.Series is null)
            throw new UsageException("--series: the partial files hold no series; run the shards with --series");
        if (a.SamplePathsFile is not null && result.SamplePaths is null)
            throw new UsageException("--sample-paths: the partial files hold no sample paths; run the shards with --sample-paths N FILE");
        foreach (var warning in result.Warnings) stderr.WriteLine($"warning: {warning}");
        var failures = OutputFiles.WriteAll(stdout, [
            ("--json", a.JsonPath, () => ResultJson.Serialize(result) + Environment.NewLine),
            ("--csv", a.CsvPath, () => ResultCsv.Serialize(result))]);
        failures.AddRange(PathsOut.WriteSeries(stdout, result, a.SeriesPath, a.SamplePathsFile));
        if (!a.Quiet && a.JsonPath != "-" && a.CsvPath != "-" && a.SeriesPath != "-" && a.SamplePathsFile != "-") stdout.Write(SummaryTable.Format(result));
        return Finish(failures, stderr, ExitOk);
    }

    /// <summary>The manifest lines of a run's <c>--log</c> after the engine, command and host (a shard writes the same):
    /// the scenario as run and its SHA-256, the backend, the memory estimate.</summary>
    private static void LogManifest(CommandProgress progress, RunArguments a, Scenario asRun, ISimulationBackend backend)
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

    /// <summary>Reports the outputs that could not be written (after the others and the summary): exit 1 if any.</summary>
    internal static int Finish(List<string> failures, TextWriter stderr, int code)
    {
        foreach (var failure in failures) stderr.WriteLine($"error: {failure}");
        return failures.Count > 0 ? ExitFailure : code;
    }

    /// <summary>The command line as a shell would take it back (arguments with spaces or quotes quoted).</summary>
    internal static string CommandLineText(IEnumerable<string> args) =>
        string.Join(" ", new[] { "gpucascade" }.Concat(args.Select(a =>
            a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'")));


    private static int SelfTestCommand(string? only, string? require, TextWriter stdout, TextWriter stderr)
    {
        if (require is not null && !IlgpuDevices.All.Any(d => d.Api == require && d.Unsupported is null))
        {
            string why = IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(require + ":", StringComparison.Ordinal))
                         ?? $"{require}: no device that can run the path kernel (see 'gpucascade devices')";
            stderr.WriteLine($"error: --require {require}: {why}");
            return ExitFailure;
        }
        var devices = IlgpuDevices.All.Where(d => d.Unsupported is null && (only is null || d.Name == only)).ToList();
        foreach (var why in IlgpuDevices.Unavailable) stdout.WriteLine($"skipped {why}");
        foreach (var d in IlgpuDevices.All.Where(d => d.Unsupported is not null))
            stdout.WriteLine($"skipped {d.Name} ({d.Model}): {d.Unsupported}");
        if (only is not null && devices.Count == 0)
            throw new BackendUnavailableException($"--backend: no device {only} that can run the path kernel (see 'gpucascade devices')");
        if (devices.Count == 0)
        {
            stdout.WriteLine("no device to check: only the managed backend is available (its checks are the test suite)");
            return ExitOk;
        }
        var results = SelfTest.Run(devices, r =>
            stdout.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Device,-12} {r.Check,-50} {r.Seconds,6:0.0}s  {r.Detail}"));
        int failed = results.Count(r => !r.Passed);
        stdout.WriteLine($"{results.Count - failed} passed, {failed} failed on {devices.Count} device(s)");
        return failed == 0 ? ExitOk : ExitFailure;
    }

    private static int DevicesCommand(TextWriter stdout)
    {
        stdout.WriteLine($"{"name",-14} {"kind",-4} {"memory",10} {"units",5}  model / details");
        foreach (var d in BackendCatalog.List())
            stdout.WriteLine($"{d.Name,-14} {d.Kind,-4} {d.MemoryBytes / (1024.0 * 1024 * 1024),7:0.0} GiB {d.ComputeUnits,5}  {d.Model} / {d.Details}");
        foreach (var d in BackendCatalog.List().Where(d => d.Skipped is not null))
            stdout.WriteLine($"({d.Name} is listed but skipped: {d.Skipped})");
        foreach (var why in BackendCatalog.Unavailable)
            stdout.WriteLine($"({why})");
        return ExitOk;
    }

}

/// <summary>A command-line mistake: reported with usage and exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Parsed arguments of <c>gpucascade run</c>.</summary>
internal sealed record RunArguments
{
    public string? ScenarioPath { get; init; }
    public long? Paths { get; init; }
    public ulong? Seed { get; init; }
    public string Backend { get; init; } = "auto";
    public int? Threads { get; init; }
    public string? JsonPath { get; init; }
    public string? CsvPath { get; init; }
    public bool Quiet { get; init; }
    public string? CommandLine { get; init; }
    public string? LogPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
    public string? CheckpointPath { get; init; }
    public int CheckpointEverySeconds { get; init; } = 60;
    public (int Index, int Count)? Shard { get; init; }
    public string? PartialPath { get; init; }
    public string? SeriesPath { get; init; }
    public int SamplePaths { get; init; }
    public string? SamplePathsFile { get; init; }
    public string? PathsOutPath { get; init; }
}

/// <summary>Parsed arguments of <c>gpucascade merge</c>.</summary>
internal sealed record MergeArguments
{
    public required IReadOnlyList<string> Files { get; init; }
    public string? JsonPath { get; init; }
    public string? CsvPath { get; init; }
    public bool Quiet { get; init; }
    public string? CommandLine { get; init; }
    public string? SeriesPath { get; init; }
    public string? SamplePathsFile { get; init; }
}

/// <summary>Parsed arguments of <c>gpucascade compare</c>.</summary>
internal sealed record CompareArguments
{
    public required RunArguments Run { get; init; }
    public required IReadOnlyList<string> Vary { get; init; }
    public bool LiquidateBreaches { get; init; }
}

/// <summary>Parsed arguments of <c>gpucascade calibrate</c>.</summary>
internal sealed record CalibrateArguments
{
    public required RunArguments Run { get; init; }
    public required string Vary { get; init; }
    public required IReadOnlyList<string> Targets { get; init; }
    public int Grid { get; init; } = 9;
    public double? Resolution { get; init; }
    public bool PreferHigh { get; init; }
    public bool Estimate { get; init; }
    public string? Regimes { get; init; }
    public string? CheckpointPath { get; init; }
    public string? YamlPath { get; init; }
    public bool LiquidateBreaches { get; init; }
}
