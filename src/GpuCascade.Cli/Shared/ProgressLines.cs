using System.Diagnostics;
using System.Globalization;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// Progress for unattended runs (stderr not a terminal, or a <c>--log</c> file): a line every <c>interval</c> with the
/// paths done, the rate and the estimated time left, and a last line when the run ends. A batch scheduler's log then
/// shows a run alive and when it will finish, without the terminal bar's carriage returns.
/// </summary>
internal sealed class ProgressLines(TextWriter writer, TimeSpan interval) : IProgress<RunProgress>
{
    /// <summary>Ten seconds: often enough to see a run alive, rare enough for a log.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private readonly object _gate = new();

    public void Report(RunProgress p)
    {
        lock (_gate)
        {
            bool last = p.PathsDone >= p.PathsTotal;
            if (!last && _sinceLine.Elapsed < interval) return;
            _sinceLine.Restart();
            writer.WriteLine(Line(p));
            writer.Flush();
        }
    }

    /// <summary>"2026-11-29T06:41:14Z progress: 123,904 of 1,000,000 paths (12.4%), 4,130 paths/s, 3m32s left".</summary>
    public static string Line(RunProgress p)
    {
        double seconds = p.Elapsed.TotalSeconds;
        double rate = seconds > 0 ? p.PathsDone / seconds : 0;
        double fraction = p.PathsTotal > 0 ? (double)p.PathsDone / p.PathsTotal : 1;
        string left = rate > 0 ? Duration((p.PathsTotal - p.PathsDone) / rate) : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} progress: {p.PathsDone:N0} of {p.PathsTotal:N0} paths ({100 * fraction:0.0}%), {rate:N0} paths/s, " +
            $"{Duration(seconds)} elapsed, {left} left");
    }

    private static string Duration(double seconds) => seconds switch
    {
        < 60 => $"{seconds:0}s",
        < 3600 => $"{Math.Floor(seconds / 60):0}m{seconds % 60:00}s",
        _ => $"{Math.Floor(seconds / 3600):0}h{Math.Floor(seconds % 3600 / 60):00}m",
    };
}

/// <summary>Several progress receivers as one.</summary>
internal sealed class ProgressFan(params IProgress<RunProgress>?[] targets) : IProgress<RunProgress>
{
    public void Report(RunProgress value)
    {
        foreach (var target in targets) target?.Report(value);
    }
}

/// <summary>
/// The <c>--log FILE</c> of a run: the manifest at the start (engine, command line, host, scenario and its SHA-256, the
/// memory estimate), a progress line every ten seconds, per-variant or per-candidate lines, and how it ended. Appended
/// and flushed line by line, so a crash keeps everything written before it.
/// </summary>
internal sealed class RunLog : IDisposable
{
    private readonly StreamWriter _writer;

    private RunLog(StreamWriter writer)
    {
        _writer = writer;
        Progress = new ProgressLines(_writer, ProgressLines.DefaultInterval);
    }

    public static RunLog? Open(string? path)
    {
        if (path is null) return null;
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new RunLog(new StreamWriter(stream) { AutoFlush = true });
    }

    public IProgress<RunProgress> Progress { get; }

    public void Line(string text)
    {
        lock (_writer) _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {text}"));
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>
/// The progress of a command: the bar on a terminal, else a line every ten seconds on stderr; and the <c>--log</c> file,
/// which gets the manifest, the same progress lines and every message of the command.
/// </summary>
internal sealed class CommandProgress : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly ProgressBar? _bar;
    private readonly RunLog? _log;

    public CommandProgress(ScenarioRunArguments a, TextWriter stderr, bool terminal)
    {
        _stderr = stderr;
        _bar = terminal ? new ProgressBar(stderr) : null;
        _log = RunLog.Open(a.LogPath);
        Progress = new ProgressFan(_bar ?? (IProgress<RunProgress>)new ProgressLines(stderr, ProgressLines.DefaultInterval), _log?.Progress);
        _log?.Line($"{Operations.EngineInfo.Describe()}");
        _log?.Line($"command: {a.CommandLine ?? "gpucascade"}");
        _log?.Line($"host: {Environment.MachineName}, {Environment.ProcessorCount} cores, pid {Environment.ProcessId}");
    }

    public IProgress<RunProgress> Progress { get; }

    /// <summary>A message for stderr and the log (after the bar's line is ended).</summary>
    public void Line(string text)
    {
        _bar?.Finish();
        _stderr.WriteLine(text);
        _log?.Line(text);
    }

    /// <summary>A line for the log only (the manifest).</summary>
    public void LogOnly(string text) => _log?.Line(text);

    /// <summary>Ends the bar's line.</summary>
    public void Finish() => _bar?.Finish();

    public void Dispose()
    {
        _bar?.Dispose();
        _log?.Dispose();
    }
}
