using System.CommandLine.Parsing;
using GpuCascade.MarketData;
using GpuCascade.Prices;

namespace GpuCascade.Cli.Shared;

/// <summary>The price-file arguments of <c>fit</c> and <c>backtest</c>: <c>FILE</c> or <c>SYMBOL=FILE</c> (a path with '='
/// in it is taken whole when it exists), and the whole-duration options they share.</summary>
internal static class PriceArguments
{
    /// <summary>The file of an argument.</summary>
    public static string File(string argument) => Split(argument).File;

    /// <summary>The series an argument names.</summary>
    public static PriceSeries Read(string argument)
    {
        var (file, symbol) = Split(argument);
        return PriceFile.Read(file, symbol);
    }

    /// <summary>The file and the symbol of <c>SYMBOL=FILE</c> (null without one).</summary>
    public static (string File, string? Symbol) Split(string argument)
    {
        int eq = argument.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && !System.IO.File.Exists(argument) ? (argument[(eq + 1)..], argument[..eq]) : (argument, null);
    }

    /// <summary>A duration option's value (<c>1h</c>, <c>2d</c>), at most 3650 days, in whole seconds.</summary>
    public static TimeSpan Duration(ArgumentResult result, string option) => OptionParsing.Parse(result, text =>
        !Scenarios.Duration.TryParse(text, out var d, out string error) ? throw new UsageException($"{option}: {error}")
        : d.Seconds > 3650 * 86400.0 ? throw new UsageException($"{option}: at most 3650d, got {text}")
        : TimeSpan.FromSeconds(Math.Round(d.Seconds)));
}
