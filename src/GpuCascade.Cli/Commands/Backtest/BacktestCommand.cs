using System.Globalization;
using System.Text;
using GpuCascade.MarketData;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Backtest;

/// <summary><c>gpucascade backtest</c>: <see cref="MarginBacktest.Run"/> on a price file, printed as a table (each day
/// as CSV, the whole as JSON, <see cref="BacktestJson"/>, and as the HTML report of that JSON).</summary>
internal static class BacktestCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(BacktestArguments a, CommandContext context)
    {
        if (!(a.Confidence is > 0.5 and < 1)) throw new UsageException($"--confidence: must be in (0.5, 1), got {a.Confidence.ToString(Inv)}");
        OutputFiles.Check([("--csv", a.CsvPath), ("--json", a.JsonPath), ("--report", a.ReportPath)], ("price file", PriceArguments.File(a.Prices)));
        ReportOutputs.Check(a.ReportPath, a.PlotsDirectory);
        // A rule is checked before the prices are read, except a table, which is read for the prices' symbol.
        bool table = a.Margin.TrimStart().StartsWith("table", StringComparison.Ordinal);
        var model = table ? null : Rule(a.Margin, null);
        var series = PriceArguments.Read(a.Prices);
        var result = MarginBacktest.Run(series, model ?? Rule(a.Margin, series.Symbol), a.Confidence, a.HorizonDays);
        var failures = OutputFiles.WriteAll(context.Stdout, ("--csv", a.CsvPath, () => Csv(result)),
            ("--json", a.JsonPath, () => BacktestJson.Serialize(result) + Environment.NewLine));
        // The report renders the JSON document, named as 'gpucascade report' names the --json file: the same page.
        failures.AddRange(ReportOutputs.Write(a.ReportPath, a.PlotsDirectory,
            () => ReportInput.From(result, a.JsonPath is { } json && json != "-" ? json : a.Prices)));
        if (a.CsvPath != "-" && a.JsonPath != "-") context.Stdout.Write(Table(result));
        context.Stdout.Flush();
        return ExitCodes.Finish(failures, context.Stderr, ExitCodes.Ok);
    }

    private static MarginModel Rule(string text, string? symbol)
    {
        try
        {
            return MarginModel.Parse(text, symbol);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--margin: {e.Message}");
        }
    }

    /// <summary>The summary table: one line per tool and side.</summary>
    internal static string Table(BacktestResult r)
    {
        var sb = new StringBuilder();
        double p = 1 - r.Confidence;
        sb.AppendLine(Inv, $"Margin backtest of {r.Symbol} ({r.Source}): {r.Dates[0]:yyyy-MM-dd} .. {r.Dates[^1]:yyyy-MM-dd}, {r.Dates.Length:N0} windows of {r.HorizonDays:0} days, not overlapping");
        sb.AppendLine(Inv, $"rule {r.Model}, confidence {r.Confidence:0.######} per side (expected exceedances {p * r.Dates.Length:0.#} a side)");
        sb.AppendLine();
        sb.AppendLine(Inv, $"{"tool",-16} {"side",-5} {"exceed",7} {"rate",7} {"Kupiec LR (p)",17} {"indep. LR (p)",17} {"cond. cov. (p)",17} {"zone",-6} {"peak/trough",11} {"max 30d rise",12} {"mean margin",11}");
        foreach (var v in r.Variants)
            foreach (var (side, b) in new[] { ("long", v.Long), ("short", v.Short) })
            {
                var c = b.Coverage;
                sb.AppendLine(Inv, $"{v.Tool.Label(),-16} {side,-5} {c.Exceedances,7:N0} {100.0 * c.Exceedances / c.Days,6:0.00}% {Lr(c.Kupiec),17} {Lr(c.Independence),17} {Lr(c.ConditionalCoverage),17} {c.Zone,-6} {b.PeakToTrough,11:0.00} {100 * b.Largest30DayIncrease,11:0}% {100 * b.MeanMargin,10:0.00}%");
            }
        sb.AppendLine();
        sb.AppendLine("Kupiec: the exceedance rate against 1 - confidence; independence (Christoffersen): exceedances in clusters; zone: the Basel traffic light at this many days.");
        sb.AppendLine("Tools (EMIR): buffer, 25% drawn down while margins rise; 10y floor, at least the 10-year look-back's margin; stressed 25%, a quarter weight on the look-back's highest margin.");
        return sb.ToString();
    }

    private static string Lr(LikelihoodRatio lr) => string.Create(Inv, $"{lr.Statistic:0.00} ({lr.PValue:0.000})");

    /// <summary>Each window: its first day, the move over it, and per tool the margin and whether a long or a short
    /// exceeded it.</summary>
    internal static string Csv(BacktestResult r)
    {
        var sb = new StringBuilder("date,move");
        foreach (var v in r.Variants)
        {
            string n = v.Tool.Key();
            sb.Append(Inv, $",long_margin_{n},long_exceeded_{n},short_margin_{n},short_exceeded_{n}");
        }
        sb.Append('\n');
        for (int t = 0; t < r.Dates.Length; t++)
        {
            sb.Append(Inv, $"{r.Dates[t]:yyyy-MM-dd},{r.Moves[t]:R}");
            foreach (var v in r.Variants)
                sb.Append(Inv, $",{v.Long.Margins[t]:R},{Flag(MarginBacktest.Exceeds(r.Moves[t], v.Long.Margins[t], true))},{v.Short.Margins[t]:R},{Flag(MarginBacktest.Exceeds(r.Moves[t], v.Short.Margins[t], false))}");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static int Flag(bool exceeded) => exceeded ? 1 : 0;
}
