using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using GpuCascade.Operations;

namespace GpuCascade.Cli.Shared;

/// <summary>The pieces every command's options are parsed with: a parser's mistake becomes the parse error that names
/// the option, integers are checked against their range, and System.CommandLine's own messages are recognised to be
/// reworded.</summary>
internal static partial class OptionParsing
{
    /// <summary>Runs an option's parser on its single token; a <see cref="UsageException"/> becomes the parse error.</summary>
    public static T? Parse<T>(ArgumentResult result, Func<string, T> parse)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        try
        {
            return parse(token);
        }
        catch (UsageException e)
        {
            result.AddError(e.Message);
            return default;
        }
    }

    public static long Integer(string option, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw new UsageException($"{option}: must be an integer in {min} .. {max}, got {Echo.Quote(text)}");
        return v;
    }

    /// <summary>The last token given to an option or argument, without converting it (conversion may have failed).</summary>
    public static string? Token(SymbolResult? result) => result is { Tokens.Count: > 0 } ? result.Tokens[^1].Value : null;

    /// <summary>"unknown option '--pths' of run (did you mean --paths?)".</summary>
    public static string UnknownOption(string token, System.CommandLine.Command command) =>
        $"unknown option {Echo.Quote(token)} of {command.Name}{DidYouMean.Hint(token, command.Options.Select(o => o.Name))}";

    /// <summary>The command line as a shell would take it back (arguments with spaces or quotes quoted).</summary>
    public static string CommandLineText(IEnumerable<string> args) =>
        string.Join(" ", new[] { "gpucascade" }.Concat(args.Select(a =>
            a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'")));

    [GeneratedRegex("^Required argument missing for option: '(.+)'")]
    public static partial Regex MissingValue();

    [GeneratedRegex("^Option '(.+)' expects a single argument but")]
    public static partial Regex GivenTwice();

    [GeneratedRegex("^Unrecognized command or argument '(.+)'")]
    public static partial Regex Unrecognized();
}
