using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using GpuCascade.Operations;
using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Shared;

/// <summary>
/// The command tree of <c>gpucascade</c> on System.CommandLine, apart from which commands it holds: <c>--help</c> with
/// each command's examples and the exit codes, <c>--version</c>, and parse errors, each mistake one line that names the
/// option (and the closest valid name for a typo), exit 2 before anything runs. The commands declare themselves (their
/// options, examples and wording of errors) in their folders under Commands/.
/// </summary>
internal sealed class CommandTree
{
    public CommandTree(Command root)
    {
        Root = root;
        var help = new HelpOption();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, Examples);
        root.Options.Add(help);
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
    }

    public Command Root { get; }

    /// <summary>The examples shown after a command's help.</summary>
    public Dictionary<Command, string> Examples { get; } = [];

    /// <summary>A command's own wording of System.CommandLine's messages (scenario's missing subcommand), tried before
    /// the general wording; it gives null for a message it leaves to that.</summary>
    public Dictionary<Command, Func<string, string?>> Wording { get; } = [];

    /// <summary>How a command that takes one argument words an unexpected further one (the token); null when the
    /// mistake was reported already.</summary>
    public Dictionary<Command, Func<ParseResult, string, string?>> ExtraArgument { get; } = [];

    /// <summary>
    /// Parses and runs <paramref name="args"/>; a parse error is reported on <paramref name="stderr"/> and returns
    /// <see cref="ExitCodes.InvalidInput"/> before anything runs.
    /// </summary>
    public int Invoke(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is ["help", .. var rest]) args = [.. rest, "--help"];
        // No response files: '@out.json' is a file name here, not a file of arguments.
        var result = Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (args.Length == 0)
        {
            Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
            return ExitCodes.InvalidInput;
        }
        if (result.Errors.Count > 0 && result.Action is not HelpWithExamples) // --help with a required option missing is still help
        {
            var command = result.CommandResult.Command;
            // "Required command was not provided" says nothing more when the word given was not a command.
            var errors = result.Errors.Count > 1
                ? result.Errors.Where(e => !e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
                : result.Errors;
            foreach (var message in errors.Select(e => Explain(e.Message, command, result, args)).OfType<string>().Distinct())
                stderr.WriteLine($"error: {message}");
            stderr.WriteLine(command == Root ? "Run 'gpucascade --help' for usage." : $"Run 'gpucascade {CommandPath(command)} --help' for usage.");
            return ExitCodes.InvalidInput;
        }
        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>System.CommandLine's own messages, in the words of the rest of the CLI (naming the option, suggesting).</summary>
    private string? Explain(string message, Command command, ParseResult result, string[] args)
    {
        if (MissingValue().Match(message) is { Success: true } missing)
            return missing.Groups[1].Value == "--sample-paths" ? "--sample-paths: needs N FILE (how many paths, then the file)" : $"{missing.Groups[1].Value}: needs a value";
        if (GivenTwice().Match(message) is { Success: true } twice) return $"{twice.Groups[1].Value}: given more than once; give it once";
        if (Wording.TryGetValue(command, out var wording) && wording(message) is { } worded) return worded;
        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"a command is needed ({Commands()})";
        if (Unrecognized().Match(message) is not { Success: true } unknown) return message;
        string token = unknown.Groups[1].Value;
        if (command == Root)
            return $"unknown command {Echo.Quote(token)} (expected {Commands()}){DidYouMean.Hint(token, Root.Subcommands.Select(c => c.Name))}";
        if (token.StartsWith('-') && token != "-") return UnknownOption(token, command);
        if (ExtraArgument.TryGetValue(command, out var extra)) return extra(result, token);
        // The value of an unknown option (bench --cpu-path 3) is not a second mistake.
        int at = Array.IndexOf(args, token);
        if (at > 0 && args[at - 1].StartsWith('-') && !command.Options.Any(o => o.Name == args[at - 1] || o.Aliases.Contains(args[at - 1])))
            return null;
        return $"{command.Name} takes no file or argument, got {Echo.Quote(token)}";
    }

    /// <summary>"run, compare, ... or bench": the commands, for messages.</summary>
    private string Commands()
    {
        var names = Root.Subcommands.Select(c => c.Name).ToList();
        return names.Count < 2 ? string.Join("", names) : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    /// <summary>The words that run <paramref name="command"/> (<c>scenario check</c>), for "Run 'gpucascade ... --help'".</summary>
    private static string CommandPath(Command command) =>
        string.Join(" ", command.Parents.OfType<Command>().Where(c => c.Parents.Any()).Select(c => c.Name).Reverse().Append(command.Name));

    /// <summary>The usual help, then the command's examples and the exit codes.</summary>
    private sealed class HelpWithExamples(HelpAction help, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = help.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                output.WriteLine("Examples:");
                output.Write(text.TrimEnd('\n', ' ') + "\n");
                output.WriteLine();
            }
            output.WriteLine("Exit codes: 0 done, 1 failure, 2 invalid scenario, input file or arguments, 3 calibration target unreachable (no feasible value), " +
                             "4 calibrated value fails the out-of-sample check, 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (what finished is written).");
            return code;
        }
    }

    /// <summary><c>--version</c>: the name, the version and the git commit.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Operations.EngineInfo.Describe());
            return ExitCodes.Ok;
        }
    }
}
