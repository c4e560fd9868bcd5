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
}

/// <summary>Parsed arguments of <c>gpucascade scenario</c>.</summary>
internal sealed record ScenarioArguments
{
    public ScenarioAction Action { get; init; }
    public string? File { get; init; }
}

/// <summary>The <c>scenario</c> command: <c>default</c> prints the embedded default scenario, <c>check FILE</c> validates
/// a file and prints it normalised; with their examples and their own wording of a missing subcommand or file.</summary>
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
        var check = new Command("check",
            "Validate a scenario file without running it: print the normalised scenario (defaults filled in, loadable as it is), or every error naming its field (exit 2).")
            { checkFile };
        check.SetAction(r => scenario(new ScenarioArguments { Action = ScenarioAction.Check, File = r.GetValue(checkFile) }));
        tree.Examples[check] = """
              gpucascade scenario check venue.yaml
              gpucascade scenario check venue.yaml > venue.normalised.yaml   (runs to the same result, scenario SHA-256 included)
            """;
        var command = new Command("scenario", "Scenario files: print the embedded default, or check a file and print it normalised.") { show, check };
        tree.Examples[command] = """
              gpucascade scenario default
              gpucascade scenario check scenarios/flash-crash.yaml
            """;
        tree.Wording[command] = message =>
        {
            if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
                return "scenario: needs a subcommand, default or check (gpucascade scenario check FILE)";
            if (Unrecognized().Match(message) is not { Success: true } unknown) return null;
            string token = unknown.Groups[1].Value;
            return token.StartsWith('-') && token != "-"
                ? UnknownOption(token, command)
                : $"unknown subcommand {Echo.Quote(token)} of scenario (expected default or check){DidYouMean.Hint(token, command.Subcommands.Select(c => c.Name))}";
        };
        tree.Wording[check] = message => message.StartsWith("Required argument 'FILE' missing", StringComparison.Ordinal)
            ? "scenario check: needs the scenario FILE to check"
            : null;
        return command;
    }
}
