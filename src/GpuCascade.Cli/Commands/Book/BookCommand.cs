using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Book;

/// <summary>
/// <c>gpucascade book</c>: the positioning and depth files read (<see cref="PositioningFile"/>), applied to the base
/// scenario (<see cref="BookFromData.Apply"/>) and written as YAML that <c>run</c> reads, what was taken as comments; <c>--json</c> writes what was taken and the
/// scenario's liquidation ladder (<see cref="BookDataJson"/>) and <c>--report</c>/<c>--plots</c> the report's page of that JSON.
/// </summary>
internal static class BookCommand
{
    public static int Run(BookArguments a, CommandContext context)
    {
        if (!(a.AccountsPerCohort >= 1 && double.IsFinite(a.AccountsPerCohort)))
            throw new UsageException($"--accounts-per-cohort: must be >= 1, got {a.AccountsPerCohort.ToString(CultureInfo.InvariantCulture)}");
        var files = a.OpenInterest.Select(f => ("--open-interest", f)).Concat(a.LongShare.Select(f => ("--long-short", f)))
            .Concat(a.LiquidationMap.Select(f => ("--liquidation-map", f))).Concat(a.Depth.Select(f => ("--depth", f)))
            .Select(p => (Option: p.Item1, Symbol: Symbol(p.Item1, p.Item2, out string file), File: file)).ToList();
        if (files.Count == 0) throw new UsageException("give at least one data file: --open-interest, --long-short, --liquidation-map or --depth SYMBOL=FILE");
        foreach (var g in files.GroupBy(f => (f.Option, f.Symbol)).Where(g => g.Count() > 1))
            throw new UsageException($"{g.Key.Option}: {g.Key.Symbol} is given {g.Count()} times");
        if (a.JsonPath == "-" && a.OutPath is null or "-")
            throw new UsageException("--json: the scenario goes to stdout without --out FILE; give --out FILE, or --json FILE");
        OutputFiles.Check([("--out", a.OutPath), ("--json", a.JsonPath), ("--report", a.ReportPath)], [.. files.Select(f => ("data file", (string?)f.File))]);
        ReportOutputs.Check(a.ReportPath, a.PlotsDirectory);
        var data = files.GroupBy(f => f.Symbol).Select(g =>
        {
            var p = new AssetPositioning { Symbol = g.Key };
            foreach (var f in g)
                p = f.Option switch
                {
                    "--open-interest" => p with { OpenInterest = PositioningFile.ReadOpenInterest(f.File) },
                    "--long-short" => p with { LongShare = PositioningFile.ReadLongShare(f.File) },
                    "--liquidation-map" => p with { LiquidationMap = PositioningFile.ReadLiquidationMap(f.File) },
                    _ => p with { Depth = PositioningFile.ReadDepth(f.File) },
                };
            return p;
        }).ToList();
        var baseScenario = a.BasePath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.BasePath);
        var (scenario, summary) = BookFromData.Apply(baseScenario, data, a.At, a.AccountsPerCohort);
        // A history's files, named from where the new scenario is written.
        if (scenario.History is { } history)
            scenario = scenario with { History = history.RelativeTo(a.OutPath is null or "-" ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(a.OutPath))!) };
        var sources = files.Select(f => $"{f.Option} {f.Symbol}={f.File}").ToList();
        string comments = Comments(sources, summary);
        string yaml = comments + "\n" + ScenarioYaml.Normalised(scenario);
        bool yamlToStdout = a.OutPath is null or "-";
        // The JSON (and the report's page of it) holds the scenario's ladder: made once, when asked.
        string? document = null;
        string Json() => document ??= BookDataJson.Serialize(summary, scenario, sources, a.At);
        var failures = OutputFiles.WriteAll(context.Stdout, ("--out", yamlToStdout ? "-" : a.OutPath, () => yaml),
            ("--json", a.JsonPath, () => Json() + Environment.NewLine));
        // The report renders the JSON document, named as 'gpucascade report' names the --json file: the same page.
        failures.AddRange(ReportOutputs.Write(a.ReportPath, a.PlotsDirectory,
            () => new ReportInput(a.JsonPath is { } json && json != "-" ? json : "book from data", Json())));
        if (!yamlToStdout && a.JsonPath != "-")
        {
            context.Stdout.Write(comments);
            context.Stdout.WriteLine($"# scenario: {a.OutPath}; gpucascade run {a.OutPath}");
        }
        context.Stdout.Flush();
        return ExitCodes.Finish(failures, context.Stderr, ExitCodes.Ok);
    }

    /// <summary>The symbol of <c>SYMBOL=FILE</c>, else the one in the file's name.</summary>
    private static string Symbol(string option, string argument, out string file)
    {
        (file, var symbol) = PriceArguments.Split(argument);
        return symbol ?? PriceFile.SymbolFromName(file)
            ?? throw new UsageException($"{option}: no symbol in {Operations.Echo.Quote(argument)}; give it as SYMBOL=FILE");
    }

    /// <summary>What was taken of each asset, as YAML comments.</summary>
    internal static string Comments(IEnumerable<string> files, IReadOnlyList<PositioningSummary> summary)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# gpucascade book: {string.Join(", ", files.Select(f => f.ReplaceLineEndings(" ")))}");
        foreach (var s in summary)
        {
            var parts = new List<string>();
            if (s.OpenInterest is double oi) parts.Add($"open interest {Usd(oi)}");
            if (s.LongShare is double share) parts.Add($"long share {share:0.####}");
            if (s.MapCohorts > 0)
                parts.Add($"liquidation map: {s.MapCohorts} cohorts, longs {Usd(s.MapLongUsd)}, shorts {Usd(s.MapShortUsd)}" +
                          (s.MapLevelsBeyondPrice > 0 ? $" ({s.MapLevelsBeyondPrice} levels already past the price left out)" : ""));
            if (s.Depth is { } d)
                parts.Add($"depth per 1% {Usd(d.Depth1Pct)} (bids {Usd(d.BidUsd)}, asks {Usd(d.AskUsd)} within 1% of the mid {d.Mid:G8}{(d.Time is { } t ? $", snapshot {t:yyyy-MM-dd HH:mm:ss} UTC" : "")})");
            sb.AppendLine(inv, $"#   {s.Symbol}: {string.Join("; ", parts)}");
        }
        return sb.ToString();
    }

    private static string Usd(double v) => v.ToString(v >= 1e9 ? "0.###e0" : "#,0", CultureInfo.InvariantCulture);
}
