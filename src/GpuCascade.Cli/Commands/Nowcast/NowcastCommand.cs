using System.Globalization;
using System.Text;
using GpuCascade.Backends;
using GpuCascade.Nowcasting;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Nowcast;

/// <summary>
/// <c>gpucascade nowcast</c>: the state read (<see cref="NowcastState.Load"/>), the nowcast run (<see cref="Nowcaster.Run"/>)
/// and printed: per horizon the probabilities with their intervals, the cohorts that drive the tail, the timing.
/// </summary>
internal static class NowcastCommand
{
    public static int Run(NowcastArguments a, CommandContext context)
    {
        if (a.Paths is long p && p < 1) throw new UsageException($"--paths: must be >= 1, got {p}");
        if (a.Threads is int t && t < 1) throw new UsageException($"--threads: must be >= 1, got {t}");
        ReportOutputs.Check(a.ReportPath, a.PlotsDirectory);
        var outputs = new List<(string, string?)> { ("--json", a.JsonPath), ("--report", a.ReportPath) };
        OutputFiles.Check(outputs, ("state file", a.StatePath));
        var state = NowcastState.Load(a.StatePath);
        if (a.Paths is long paths) state = state with { Paths = paths };
        using var backend = BackendCatalog.Create(a.Backend, state.Scenario.Precision, a.Threads, line => context.Stderr.WriteLine(line));
        var result = Nowcaster.Run(state, backend);
        if (state.AsOf is { } asked && asked - result.AsOf > 2 * result.Fit.Interval)
            context.Stderr.WriteLine($"warning: the prices end at {result.AsOf:yyyy-MM-dd HH:mm} UTC, {Prices.Intervals.Format(asked - result.AsOf)} before the state's asOf {asked:yyyy-MM-dd HH:mm} UTC: the nowcast is as of the data");
        bool jsonToStdout = a.JsonPath == "-";
        if (!jsonToStdout) context.Stdout.Write(Table(result));
        var failures = OutputFiles.WriteAll(context.Stdout, ("--json", a.JsonPath, () => NowcastJson.Serialize(result)));
        failures.AddRange(ReportOutputs.Write(a.ReportPath, a.PlotsDirectory,
            [.. result.Horizons.Select(h => new Func<ReportInput>(() => ReportInput.From(h.Result, $"nowcast {h.Horizon.Text}")))]));
        context.Stdout.Flush();
        return ExitCodes.Finish(failures, context.Stderr, ExitCodes.Ok);
    }

    /// <summary>The nowcast as text: the state, each horizon's probabilities, the drivers of the longest horizon's tail.</summary>
    internal static string Table(NowcastResult n)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Nowcast as of {n.AsOf:yyyy-MM-dd HH:mm} UTC, fitted at {Prices.Intervals.Format(n.Fit.Interval)} (the runs' step); {n.ElapsedSeconds:0.0} s");
        foreach (var a in n.Fit.Assets)
            sb.AppendLine(inv, $"  {a.Symbol,-6} price {a.LastPrice,12:G8}   volatility now {Percent(a.Volatility.Value, 1),6} (s.e. {Percent(a.Volatility.StandardError, 1)})");
        sb.AppendLine();
        sb.AppendLine("horizon  steps    paths   P(cascade) [95% Wilson]     P(bad debt > 0)            P(fund depleted)      mean bad debt   ES 99%");
        foreach (var h in n.Horizons)
        {
            var r = h.Result;
            string Pr(Statistics.ProbabilityEstimate e) => $"{Percent(e.Estimate, 2),7} [{Percent(e.Lower, 2)}, {Percent(e.Upper, 2)}]";
            double es = r.BadDebt.ExpectedShortfall.TryGetValue(0.99, out double v) ? v : double.NaN;
            sb.AppendLine(inv, $"{h.Horizon.Text,-7} {r.Steps,6} {r.Paths,8:N0}   {Pr(r.Probabilities.Cascade),-27} {Pr(r.Probabilities.BadDebt),-26} {Pr(r.Probabilities.FundDepleted),-21} {Usd(r.BadDebt.Mean),13} {Usd(es),8}");
        }
        if (n.Horizons[0].Result.Ladder is { } ladder)
        {
            sb.AppendLine();
            Reporting.SummaryTable.Ladder(sb, ladder);
        }
        var last = n.Horizons[^1].Result;
        var drivers = NowcastJson.Driving(last).Take(5).ToList();
        if (drivers.Count > 0)
        {
            if (n.Horizons[0].Result.Ladder is null) sb.AppendLine();
            sb.AppendLine(inv, $"Cohorts that drive the {n.Horizons[^1].Horizon.Text} tail (share of the bad debt on the worst 1% of paths):");
            foreach (var c in drivers)
                sb.AppendLine(inv, $"  {c.Name,-28} {string.Join("+", c.Assets),-9} {c.Side,-6} share {(c.TailShare is double s ? Percent(s, 1) : "n/a"),6}   P(liquidated) {Percent(c.PLiquidated.Estimate, 2),7}   leverage {c.Leverage:0.0}x");
        }
        return sb.ToString();
    }

    private static string Percent(double v, int decimals) =>
        double.IsFinite(v) ? (100 * v).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Usd(double v) =>
        !double.IsFinite(v) ? "n/a" : Math.Abs(v) >= 1e9 ? $"{v / 1e9:0.00}B" : Math.Abs(v) >= 1e6 ? $"{v / 1e6:0.00}M" : Math.Abs(v) >= 1e3 ? $"{v / 1e3:0.0}k" : v.ToString("0", CultureInfo.InvariantCulture);
}
