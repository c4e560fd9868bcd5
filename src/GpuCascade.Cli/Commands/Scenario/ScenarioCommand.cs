using GpuCascade.Book;
using GpuCascade.Paths;
using GpuCascade.Reporting;

namespace GpuCascade.Cli.Commands.Scenario;

/// <summary>
/// <c>gpucascade scenario default</c>: the embedded default scenario, exactly as scenarios/default.yaml (comments and all).
/// <c>gpucascade scenario presets</c>: the venue presets (<see cref="VenuePresets"/>), each with its date and keys.
/// <c>gpucascade scenario check FILE --ladder</c>: the book's liquidation ladder (<see cref="LiquidationLadder"/>) instead.
/// <c>gpucascade scenario check FILE</c>: the file loaded and validated as <c>run</c> would (every error naming its field,
/// exit 2), its book built as the engine builds it (to count a generator's cohorts), and the scenario printed normalised:
/// YAML with the defaults filled in, which loads back to the same scenario (the same SHA-256 a run's manifest shows). Library equivalents: <see cref="ScenarioLoader.DefaultScenarioText"/>, <see cref="ScenarioLoader.LoadFile"/>
/// and <see cref="ScenarioYaml.Normalised"/>.
/// </summary>
internal static class ScenarioCommand
{
    public static int Run(ScenarioArguments a, CommandContext context)
    {
        var stdout = context.Stdout;
        if (a.Action == ScenarioAction.Default)
        {
            stdout.Write(ScenarioLoader.DefaultScenarioText);
            stdout.Flush();
            return ExitCodes.Ok;
        }
        if (a.Action == ScenarioAction.Presets)
        {
            stdout.Write(VenuePresets.Listing());
            stdout.Flush();
            return ExitCodes.Ok;
        }
        string file = a.File ?? throw new UsageException("scenario check: needs the scenario FILE to check");
        var scenario = ScenarioLoader.LoadFile(file); // a ScenarioException: every error, exit 2 (CliApp)
        int cohorts = SimulationPlan.Build(scenario).CohortCount; // the book as the engine builds it (a generator's cohorts counted)
        string generated = scenario.Book.Generator is null ? "" : $" ({cohorts - scenario.Book.Cohorts.Length:N0} generated)";
        if (a.Ladder)
        {
            if (a.LadderLevels is < 1 or > 1000)
                throw new UsageException($"--ladder-levels: expected 1 to 1000 levels, got {a.LadderLevels}");
            if (!(a.LadderStep > 0 && a.LadderStep <= 100))
                throw new UsageException($"--ladder-step: expected a move in (0, 100] percent, got {a.LadderStep.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            stdout.Write($"# {OneLine(file)} is valid: {scenario.Assets.Length} assets, {cohorts:N0} cohorts{generated}.\n");
            stdout.Write(LadderTable.Format(LiquidationLadder.Of(scenario, a.LadderLevels, a.LadderStep)));
            stdout.Flush();
            return ExitCodes.Ok;
        }
        stdout.Write($"""
            # {OneLine(file)} is valid: {scenario.Assets.Length} assets, {cohorts:N0} cohorts{generated}, {scenario.Steps:N0} steps over {scenario.Horizon.Text}, {scenario.Paths:N0} paths.
            # Normalised (defaults filled in; mechanisms left off are omitted); it loads back to the same scenario, sha256
            # {ScenarioJson.Sha256(scenario)} (a run's manifest.scenarioSha256 without --paths or --seed).

            """);
        stdout.Write(ScenarioYaml.Normalised(scenario));
        stdout.Flush();
        return ExitCodes.Ok;
    }

    /// <summary>A file name in a comment line: no line breaks.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
