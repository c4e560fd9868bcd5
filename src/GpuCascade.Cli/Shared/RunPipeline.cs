using GpuCascade.Backends;
using GpuCascade.Paths;
using GpuCascade.Report;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// The run pipeline of run, a shard, compare and calibrate, in one place: check every output before anything runs (so a
/// night's run never ends in "cannot write"), load the scenario, create the backend, open the progress and the
/// <c>--log</c> with the command's manifest lines, make the command's library call, show its warnings, write every
/// output (atomically; one that fails does not stop the others), the HTML report and plots, the summary on stdout, and
/// the exit code: 1 when an output could not be written, else the command's. A command supplies only what differs.
/// </summary>
/// <typeparam name="TInput">What the command loads: a scenario, or a scenario document that variants are applied to.</typeparam>
/// <typeparam name="TResult">What the command's library call returns.</typeparam>
internal abstract class RunPipeline<TInput, TResult>
{
    private readonly ScenarioRunArguments _arguments;
    private readonly List<IDisposable> _owned = [];

    protected RunPipeline(ScenarioRunArguments arguments, CommandContext context)
    {
        _arguments = arguments;
        Context = context;
    }

    protected CommandContext Context { get; }

    /// <summary>Every file the command may write (option, path; null = not asked, "-" = stdout), checked before
    /// anything runs.</summary>
    protected abstract IEnumerable<(string Option, string? Path)> Outputs { get; }

    /// <summary>Whether an output goes to stdout (then the summary does not).</summary>
    protected abstract bool WritesToStdout { get; }

    /// <summary>The command's own checks of its arguments, after the outputs' and the report's.</summary>
    protected virtual void Check() { }

    /// <summary>Loads the scenario (<paramref name="path"/>, or the embedded default when null) and checks the
    /// arguments that depend on it.</summary>
    protected abstract TInput Load(string? path);

    /// <summary>The precision the backend is created for.</summary>
    protected abstract Precision PrecisionOf(TInput input);

    /// <summary>Lines for the <c>--log</c> after the engine, command and host.</summary>
    protected virtual IEnumerable<string> Manifest(TInput input, ISimulationBackend backend) => [];

    /// <summary>The command's library call.</summary>
    protected abstract TResult Compute(TInput input, ISimulationBackend backend, CommandProgress progress);

    /// <summary>The lines for stderr and the log after the call: its warnings.</summary>
    protected abstract IEnumerable<string> Messages(TResult result);

    /// <summary>The text outputs of the result (option, path, text), written atomically or to stdout.</summary>
    protected virtual IEnumerable<(string Option, string? Path, Func<string> Text)> Files(TResult result) => [];

    /// <summary>The outputs written otherwise (series, Parquet); a failure joins <paramref name="failures"/>.</summary>
    protected virtual void WriteMore(TResult result, List<string> failures) { }

    /// <summary>What <c>--report</c> and <c>--plots</c> draw: the result's document and, where there is one, its outputs over time.</summary>
    protected virtual (Func<ReportInput> Result, Func<ReportInput>? Series)? ReportOf(TResult result) => null;

    /// <summary>The summary on stdout (not with <c>--quiet</c>, nor when an output goes to stdout).</summary>
    protected abstract void WriteSummary(TResult result, TextWriter stdout);

    /// <summary>The exit code when every output was written (a verdict's message goes to stderr here).</summary>
    protected abstract int ExitCode(TResult result);

    /// <summary>The last line of the <c>--log</c>, or null for none.</summary>
    protected virtual string? Finished(TResult result, IReadOnlyList<string> failures, int code) => null;

    /// <summary>A resource of the call (a file being written) that the pipeline disposes at the end, before the
    /// progress and the backend.</summary>
    protected T Own<T>(T resource) where T : IDisposable?
    {
        if (resource is not null) _owned.Add(resource);
        return resource;
    }

    /// <summary>Runs the pipeline; returns the exit code.</summary>
    public int Execute()
    {
        var (a, stdout, stderr) = (_arguments, Context.Stdout, Context.Stderr);
        OutputFiles.Check(Outputs, ("scenario file", a.ScenarioPath));
        ReportOutputs.Check(a);
        Check();
        var input = Load(a.ScenarioPath);
        using var backend = BackendCatalog.Create(a.Backend, PrecisionOf(input), a.Threads, line => stderr.WriteLine(line));
        using var progress = new CommandProgress(a, stderr, Context.ProgressToTerminal);
        try
        {
            foreach (var line in Manifest(input, backend)) progress.LogOnly(line);
            var result = Compute(input, backend, progress);
            progress.Finish();
            foreach (var message in Messages(result)) progress.Line(message);

            var failures = OutputFiles.WriteAll(stdout, [.. Files(result)]);
            WriteMore(result, failures);
            if (ReportOf(result) is { } report) failures.AddRange(ReportOutputs.Write(a, report.Result, report.Series));
            if (!a.Quiet && !WritesToStdout) WriteSummary(result, stdout);
            int code = failures.Count > 0 ? ExitCodes.Finish(failures, stderr, ExitCodes.Failure) : ExitCode(result);
            if (Finished(result, failures, code) is { } last) progress.LogOnly(last);
            return code;
        }
        finally
        {
            for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        }
    }
}

/// <summary>The pipeline of compare and calibrate: the scenario as a document, which each variant or candidate changes
/// by key before it is validated.</summary>
internal abstract class VariantPipeline<TResult>(ScenarioRunArguments arguments, CommandContext context)
    : RunPipeline<ScenarioDocument, TResult>(arguments, context)
{
    protected override ScenarioDocument Load(string? path) => path is null ? ScenarioDocument.Default : ScenarioDocument.Load(path);

    protected override Precision PrecisionOf(ScenarioDocument document) => document.ToScenario().Precision;
}
