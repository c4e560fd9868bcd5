using GpuCascade.Operations;

using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Commands.Scenario;

/// <summary>What <c>gpucascade scenario</c> was asked to do.</summary>
internal enum ScenarioAction
{
    /// <summary>Print the embedded default scenario.</summary>
    Default,
    /// <summary>Validate a file and print it normalised.</summary>
    Check,
    /// <summary>List the venue presets and the keys each sets.</summary>
    Presets,
}

/// <summary>Parsed arguments of <c>gpucascade scenario</c>.</summary>
internal sealed record ScenarioArguments
{
    public ScenarioAction Action { get; init; }
    public string? File { get; init; }
    /// <summary>Print the liquidation ladder instead of the normalised scenario.</summary>
    public bool Ladder { get; init; }
    /// <summary>Levels of the ladder per direction.</summary>
    public int LadderLevels { get; init; } = 20;
    /// <summary>The move per level in percent.</summary>
    public double LadderStep { get; init; } = 1;
}

/// <summary>The <c>scenario</c> command: <c>default</c> prints the embedded default scenario, <c>check FILE</c> validates
/// a file and prints it normalised, <c>presets</c> lists the venue presets; with their examples and their own wording of a missing subcommand or file.</summary>
internal static class ScenarioDefinition
{
    public static Command Create(CommandTree tree, Func<ScenarioArguments, int> scenario)
    {
        var show = new Command("default", "Print the embedded default scenario (scenarios/default.yaml) as YAML, byte for byte: a starting point for your own.");
        show.SetAction(_ => scenario(new ScenarioArguments { Action = ScenarioAction.Default }));
        tree.Examples[show] = """
              gpucascade scenario default > venue.yaml        then edit venue.yaml and run it
            """;
        var checkFile = new Argument<string>("FILE") { Description = "the scenario file to check (YAML, or JSON for .json)" };
        var ladder = new Option<bool>("--ladder")
        {
            Description = "print the book's liquidation ladder instead of the normalised scenario: per asset and 1% move (each way), the notional that first becomes liquidatable and the move its liquidation causes (docs/interpreting.md)",
        };
        var ladderLevels = new Option<int>("--ladder-levels") { Description = "levels of the ladder per direction, 1 to 1000 [20]", DefaultValueFactory = _ => 20, HelpName = "N" };
        var ladderStep = new Option<double>("--ladder-step") { Description = "the move per level in percent, in (0, 100] [1]", DefaultValueFactory = _ => 1, HelpName = "PCT" };
        var check = new Command("check",
            "Validate a scenario file without running it: print the normalised scenario (defaults filled in, loadable as it is), or every error naming its field (exit 2).")
            { checkFile, ladder, ladderLevels, ladderStep };
        check.SetAction(r => scenario(new ScenarioArguments
        {
            Action = ScenarioAction.Check, File = r.GetValue(checkFile),
            Ladder = r.GetValue(ladder), LadderLevels = r.GetValue(ladderLevels), LadderStep = r.GetValue(ladderStep),
        }));
        tree.Examples[check] = """
              gpucascade scenario check venue.yaml
              gpucascade scenario check venue.yaml > venue.normalised.yaml   (runs to the same result, scenario SHA-256 included)
              gpucascade scenario check venue.yaml --ladder                  (the liquidation ladder: 20 levels of 1% each way)
              gpucascade scenario check venue.yaml --ladder --ladder-levels 10 --ladder-step 2
            """;
        var presets = new Command("presets",
            "List the venue presets a scenario can name (venue: {preset: NAME}): each one's date and the venue keys it sets (docs/scenarios.md).");
        presets.SetAction(_ => scenario(new ScenarioArguments { Action = ScenarioAction.Presets }));
        tree.Examples[presets] = """
              gpucascade scenario presets
            """;
        var command = new Command("scenario", "Scenario files: print the embedded default, check a file and print it normalised, or list the venue presets.") { show, check, presets };
        tree.Examples[command] = """
              gpucascade scenario default
              gpucascade scenario check scenarios/flash-crash.yaml
            """;
        tree.Wording[command] = message =>
        {
            if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
                return "scenario: needs a subcommand, default, check or presets (gpucascade scenario check FILE)";
            if (Unrecognized().Match(message) is not { Success: true } unknown) return null;
            string token = unknown.Groups[1].Value;
            return token.StartsWith('-') && token != "-"
                ? UnknownOption(token, command)
                : $"unknown subcommand {Echo.Quote(token)} of scenario (expected default, check or presets){DidYouMean.Hint(token, command.Subcommands.Select(c => c.Name))}";
        };
        tree.Wording[check] = message => message.StartsWith("Required argument 'FILE' missing", StringComparison.Ordinal)
            ? "scenario check: needs the scenario FILE to check"
            : null;
        return command;
    }
}
