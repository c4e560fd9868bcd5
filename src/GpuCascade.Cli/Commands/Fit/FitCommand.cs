using GpuCascade.MarketData;
using GpuCascade.Prices;
using GpuCascade.Report;

namespace GpuCascade.Cli.Commands.Fit;

/// <summary>
/// <c>gpucascade fit</c>: the price files read (<see cref="PriceFile.Read"/>), the market fitted
/// (<see cref="MarketFitter.Fit"/>) and joined to the base scenario (<see cref="FittedScenario.Apply"/>), written as YAML
/// that <c>run</c> reads, its estimates and standard errors as comments; <c>--json</c> writes the fit
/// (<see cref="FitJson"/>) and <c>--report</c>/<c>--plots</c> the report's page of that JSON.
/// </summary>
internal static class FitCommand
{
    public static int Run(FitArguments a, CommandContext context)
    {
        if (!(a.EwmaLambda is > 0 and < 1)) throw new UsageException($"--ewma-lambda: must be in (0, 1), got {a.EwmaLambda}");
        if (!(a.JumpTail is >= 1e-6 and <= 0.05)) throw new UsageException($"--jump-tail: must be in [1e-6, 0.05], got {a.JumpTail}");
        if (a.Interval is { } i && i < TimeSpan.FromSeconds(1)) throw new UsageException("--interval: must be at least 1s");
        if (a.JsonPath == "-" && a.OutPath is null or "-")
            throw new UsageException("--json: the scenario goes to stdout without --out FILE; give --out FILE, or --json FILE");
        OutputFiles.Check([("--out", a.OutPath), ("--json", a.JsonPath), ("--report", a.ReportPath)], [.. a.Files.Select(f => ("price file", (string?)PriceArguments.File(f)))]);
        ReportOutputs.Check(a.ReportPath, a.PlotsDirectory);
        var series = a.Files.Select(PriceArguments.Read).ToList();
        var fit = MarketFitter.Fit(series, new FitOptions { Interval = a.Interval, EwmaLambda = a.EwmaLambda, JumpTail = a.JumpTail });
        var baseScenario = a.BasePath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.BasePath);
        var scenario = FittedScenario.Apply(fit, baseScenario);
        string yaml = FittedScenario.Yaml(fit, scenario, a.Files);
        bool yamlToStdout = a.OutPath is null or "-";
        string? document = null;
        string Json() => document ??= FitJson.Serialize(fit, series);
        var failures = OutputFiles.WriteAll(context.Stdout, ("--out", yamlToStdout ? "-" : a.OutPath, () => yaml),
            ("--json", a.JsonPath, () => Json() + Environment.NewLine));
        // The report renders the JSON document, named as 'gpucascade report' names the --json file: the same page.
        failures.AddRange(ReportOutputs.Write(a.ReportPath, a.PlotsDirectory,
            () => new ReportInput(a.JsonPath is { } json && json != "-" ? json : string.Join(", ", a.Files), Json())));
        if (!yamlToStdout && a.JsonPath != "-")
        {
            context.Stdout.Write(FittedScenario.Comments(fit, a.Files));
            context.Stdout.WriteLine($"# scenario: {a.OutPath} ({scenario.Assets.Length} assets, {scenario.Horizon.Text} in steps of {Intervals.Format(fit.Interval)}); gpucascade run {a.OutPath}");
        }
        context.Stdout.Flush();
        return ExitCodes.Finish(failures, context.Stderr, ExitCodes.Ok);
    }
}
