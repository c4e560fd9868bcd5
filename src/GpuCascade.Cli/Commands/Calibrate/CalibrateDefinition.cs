using GpuCascade.Calibration;
using GpuCascade.Operations;
using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Commands.Calibrate;

/// <summary>Parsed arguments of <c>gpucascade calibrate</c>.</summary>
internal sealed record CalibrateArguments
{
    public required ScenarioRunArguments Run { get; init; }
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

/// <summary>The <c>calibrate</c> command: the run options, the key and its range, the targets, the search's options and
/// the examples.</summary>
internal static class CalibrateDefinition
{
    public static Command Create(CommandTree tree, Func<CalibrateArguments, int> calibrate)
    {
        var vary = new Option<string>("--vary")
        {
            Description = "the scenario key to calibrate and its range, KEY=LO..HI",
            HelpName = "KEY=LO..HI",
            Required = true,
        };
        var target = new Option<string[]>("--target")
        {
            // The metrics are the output schema's targets (RiskMetric.All): a mechanism's appear here once it declares them.
            Description = $"METRIC<=VALUE, VALUE a number or insuranceFund; METRIC {RiskMetric.Names}; repeat for several",
            HelpName = "METRIC<=VALUE",
            Required = true,
        };
        var grid = new Option<int?>("--grid") { Description = "evenly spaced candidates including LO and HI [9]", HelpName = "G" };
        var resolution = new Option<double?>("--resolution") { Description = "bisection stops at this width [(HI - LO) / 1000; 1 for an integer key]", HelpName = "R" };
        var prefer = new Option<string>("--prefer")
        {
            Description = "low: the smallest feasible value; high: the largest [low]",
            HelpName = "low|high",
            DefaultValueFactory = _ => "low",
        };
        var estimate = new Option<bool>("--estimate") { Description = "test the point estimates instead of the upper ends of their 95% intervals" };
        var regimes = new Option<string?>("--regimes")
        {
            Description = "calibrate per volatility regime, NAME=FACTOR,... (diffusion volatility times FACTOR), e.g. calm=0.5,normal=1,stressed=2",
            HelpName = "NAME=F,...",
        };
        var breach = RunOptionSet.BreachOption();
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "keep every finished candidate in FILE (atomically); rerun with the same arguments to skip them",
            HelpName = "FILE",
        };
        var yaml = new Option<string?>("--yaml") { Description = "write the calibrated values as a YAML fragment to paste into a scenario ('-' for stdout)", HelpName = "FILE" };

        var command = new Command("calibrate",
            "Find the value of a scenario key (a margin, a fund) that keeps risk figures below bounds, on common random numbers; exit 3 if no value in the range does, 4 if the chosen one fails when rerun on fresh paths (out of sample).");
        var set = new RunOptionSet(tree, command, "the scenario to calibrate (YAML or JSON); the embedded default when absent");
        grid.CustomParser = r => Parse<int?>(r, t => (int)Integer("--grid", t, 2, 1000));
        resolution.CustomParser = r => Parse<double?>(r, t => ScenarioNumbers.TryParseDouble(t, out double v) && v > 0 && double.IsFinite(v) ? v
            : throw new UsageException($"--resolution: must be a number > 0, got {Echo.Quote(t)}"));
        prefer.CustomParser = r => Parse(r, t => t is "low" or "high" ? t : throw new UsageException($"--prefer: expected low or high, got {Echo.Quote(t)}"));
        foreach (var option in new Option[] { vary, target, grid, resolution, prefer, estimate, regimes, breach, checkpoint, yaml })
            command.Options.Add(option);
        tree.Examples[command] = """
              gpucascade calibrate --vary venue.maintenanceMargin.ETH=0.004..0.05 --target 'badDebt.es.0.99<=insuranceFund'
              gpucascade calibrate venue.yaml --vary venue.maintenanceMargin=0.005..0.05 --target 'probabilities.fundDepleted<=0.01' \
                  --target 'badDebt.var.0.999<=2e8' --regimes calm=0.5,normal=1,stressed=2 --checkpoint cal.ckpt --json cal.json
              gpucascade calibrate single.yaml --vary venue.maintenanceMargin=0.01..0.3 --target 'probabilities.anyLiquidation<=0.05' --estimate --prefer high
            """;
        command.SetAction(r => calibrate(new CalibrateArguments
        {
            Run = set.Read(r),
            Vary = r.GetValue(vary)!,
            Targets = r.GetValue(target) ?? [],
            Grid = r.GetValue(grid) ?? 9,
            Resolution = r.GetValue(resolution),
            PreferHigh = r.GetValue(prefer) == "high",
            Estimate = r.GetValue(estimate),
            Regimes = r.GetValue(regimes),
            CheckpointPath = r.GetValue(checkpoint),
            YamlPath = r.GetValue(yaml),
            LiquidateBreaches = r.GetValue(breach) == "liquidate",
        }));
        return command;
    }
}
