namespace GpuCascade.Cli.Commands.Compare;

/// <summary>Parsed arguments of <c>gpucascade compare</c>.</summary>
internal sealed record CompareArguments
{
    public required ScenarioRunArguments Run { get; init; }
    public required IReadOnlyList<string> Vary { get; init; }
    public bool LiquidateBreaches { get; init; }
}

/// <summary>The <c>compare</c> command: the run options, the variants (<c>--vary</c>), the breach rule and the examples.</summary>
internal static class CompareDefinition
{
    public static Command Create(CommandTree tree, Func<CompareArguments, int> compare)
    {
        var vary = new Option<string[]>("--vary")
        {
            Description = "a scenario key and its values, KEY=V1,V2[,...] (venue.maintenanceMargin, assets[BTC].depth1pct, venue.liquidation.tranche, ...); twice gives the cross product",
            HelpName = "KEY=V1,V2",
            Required = true,
        };
        var breach = RunOptionSet.BreachOption();
        var command = new Command("compare",
            "Run variants of a scenario on the same paths and report every figure's difference to the first variant, with paired and unpaired 95% intervals.");
        var set = new RunOptionSet(tree, command, "the scenario whose variants are compared (YAML or JSON); the embedded default when absent");
        command.Options.Add(vary);
        command.Options.Add(breach);
        tree.Examples[command] = """
              gpucascade compare --vary venue.insuranceFund=0,1e9
              gpucascade compare venue.yaml --vary venue.maintenanceMargin=0.005,0.01,0.02 --paths 100000 --json cmp.json
              gpucascade compare --vary venue.oracleDelaySteps=0,2 --vary venue.liquidation.tranche=1,0.25   (a 2 x 2 grid)
            """;
        command.SetAction(r => compare(new CompareArguments
        {
            Run = set.Read(r), Vary = r.GetValue(vary) ?? [], LiquidateBreaches = r.GetValue(breach) == "liquidate",
        }));
        return command;
    }
}
