using System.Diagnostics;
using GpuCascade.Simulation;

namespace GpuCascade.Cli.Shared;

/// <summary>A one-line progress bar on stderr, redrawn at most ten times a second; only used on a terminal.</summary>
internal sealed class ProgressBar(TextWriter stderr) : IProgress<RunProgress>, IDisposable
{
    private const int Width = 30;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private bool _drawn;

    public void Report(RunProgress p)
    {
        if (_drawn && p.PathsDone < p.PathsTotal && _sinceDraw.ElapsedMilliseconds < 100) return;
        _sinceDraw.Restart();
        _drawn = true;
        double fraction = p.PathsTotal > 0 ? (double)p.PathsDone / p.PathsTotal : 1;
        int filled = (int)(fraction * Width);
        double eta = fraction > 0 ? p.Elapsed.TotalSeconds * (1 - fraction) / fraction : double.NaN;
        stderr.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,6:P1} {p.PathsDone:N0}/{p.PathsTotal:N0} paths  {p.Elapsed.TotalSeconds:0.0}s elapsed  eta {(double.IsFinite(eta) ? $"{eta:0}s" : "?")}   ");
        stderr.Flush();
    }

    public void Finish()
    {
        if (_drawn) stderr.WriteLine();
        _drawn = false;
    }

    public void Dispose() => Finish();
}
