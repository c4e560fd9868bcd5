using System.CommandLine;
using GpuCascade.Scenarios;

namespace GpuCascade.Cli;

/// <summary>
/// The commands and options that move data in and out: <c>run --paths-out FILE.parquet</c> and
/// <c>gpucascade scenario default|check</c>.
/// Declared here, apart from the rest of the tree; the work is in <see cref="PathsOut"/> and <see cref="ScenarioCommand"/>.
/// </summary>
internal sealed partial class CommandLine
{
    private readonly Option<string?> _pathsOut = new("--paths-out")
    {
        Description = "write every path's outputs (bad debt, fund, liquidations, per-asset drawdowns, ...) to FILE as Parquet, one row per path in path order, for pandas, polars or DuckDB (docs/research-data.md)",
        HelpName = "FILE.parquet",
    };

    private Command? _scenario;
    private readonly Argument<string> _checkFile = new("FILE") { Description = "the scenario file to check (YAML, or JSON for .json)" };

    /// <summary>The <c>scenario</c> command: <c>default</c> prints the embedded default scenario, <c>check FILE</c> validates
    /// a file and prints it normalised.</summary>
    private Command ScenarioCommandTree(Func<ScenarioArguments, int> scenario)
    {
        var show = new Command("default", "Print the embedded default scenario (scenarios/default.yaml) as YAML, byte for byte: a starting point for your own.");
        show.SetAction(_ => scenario(new ScenarioArguments { Action = ScenarioAction.Default }));
        Examples[show] = """
              gpucascade scenario default > venue.yaml        then edit venue.yaml and run it
            """;
        var check = new Command("check",
            "Validate a scenario file without running it: print the normalised scenario (defaults filled in, loadable as it is), or every error naming its field (exit 2).")
            { _checkFile };
        check.SetAction(r => scenario(new ScenarioArguments { Action = ScenarioAction.Check, File = r.GetValue(_checkFile) }));
        Examples[check] = """
              gpucascade scenario check venue.yaml
              gpucascade scenario check venue.yaml > venue.normalised.yaml   (runs to the same result, scenario SHA-256 included)
            """;
        _scenario = new Command("scenario", "Scenario files: print the embedded default, or check a file and print it normalised.") { show, check };
        Examples[_scenario] = """
              gpucascade scenario default
              gpucascade scenario check scenarios/flash-crash.yaml
            """;
        return _scenario;
    }

    /// <summary>The words that run <paramref name="command"/> (<c>scenario check</c>), for "Run 'gpucascade ... --help'".</summary>
    private static string CommandPath(Command command) =>
        string.Join(" ", command.Parents.OfType<Command>().Where(c => c.Parents.Any()).Select(c => c.Name).Reverse().Append(command.Name));

    /// <summary>The scenario command's own wording of a parse error, or null when it is not about that command.</summary>
    private string? ExplainScenario(string message, Command command)
    {
        if (_scenario is null) return null;
        if (command == _scenario && message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return "scenario: needs a subcommand, default or check (gpucascade scenario check FILE)";
        if (command == _scenario && Unrecognized().Match(message) is { Success: true } unknown)
        {
            string token = unknown.Groups[1].Value;
            return token.StartsWith('-') && token != "-"
                ? UnknownOption(token, command)
                : $"unknown subcommand {Echo.Quote(token)} of scenario (expected default or check){Scenarios.DidYouMean.Hint(token, _scenario.Subcommands.Select(c => c.Name))}";
        }
        if (command.Parents.Contains(_scenario) && command.Name == "check" && message.StartsWith("Required argument 'FILE' missing", StringComparison.Ordinal))
            return "scenario check: needs the scenario FILE to check";
        return null;
    }
}

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
