using GpuCascade.MarketData;
using GpuCascade.Prices;

namespace GpuCascade.Cli.Commands.Fit;

/// <summary>
/// <c>gpucascade fit</c>: the price files read (<see cref="PriceFile.Read"/>), the market fitted
/// (<see cref="MarketFitter.Fit"/>) and joined to the base scenario (<see cref="FittedScenario.Apply"/>), written as YAML
/// that <c>run</c> reads, its estimates and standard errors as comments.
/// </summary>
internal static class FitCommand
{
    public static int Run(FitArguments a, CommandContext context)
    {
        if (!(a.EwmaLambda is > 0 and < 1)) throw new UsageException($"--ewma-lambda: must be in (0, 1), got {a.EwmaLambda}");
        if (!(a.JumpTail is >= 1e-6 and <= 0.05)) throw new UsageException($"--jump-tail: must be in [1e-6, 0.05], got {a.JumpTail}");
        if (a.Interval is { } i && i < TimeSpan.FromSeconds(1)) throw new UsageException("--interval: must be at least 1s");
        if (a.OutPath is not null) OutputFiles.Check([("--out", a.OutPath)], [.. a.Files.Select(f => ("price file", (string?)PriceArguments.File(f)))]);
        var series = a.Files.Select(PriceArguments.Read).ToList();
        var fit = MarketFitter.Fit(series, new FitOptions { Interval = a.Interval, EwmaLambda = a.EwmaLambda, JumpTail = a.JumpTail });
        var baseScenario = a.BasePath is null ? ScenarioLoader.LoadDefault() : ScenarioLoader.LoadFile(a.BasePath);
        var scenario = FittedScenario.Apply(fit, baseScenario);
        string yaml = FittedScenario.Yaml(fit, scenario, a.Files);
        if (a.OutPath is null || a.OutPath == "-")
        {
            context.Stdout.Write(yaml);
            context.Stdout.Flush();
            return ExitCodes.Ok;
        }
        var failures = OutputFiles.WriteAll(context.Stdout, ("--out", a.OutPath, () => yaml));
        context.Stdout.Write(FittedScenario.Comments(fit, a.Files));
        context.Stdout.WriteLine($"# scenario: {a.OutPath} ({scenario.Assets.Length} assets, {scenario.Horizon.Text} in steps of {Intervals.Format(fit.Interval)}); gpucascade run {a.OutPath}");
        context.Stdout.Flush();
        return ExitCodes.Finish(failures, context.Stderr, ExitCodes.Ok);
    }
}
