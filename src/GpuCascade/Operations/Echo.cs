using System.Globalization;

namespace GpuCascade.Operations;

/// <summary>
/// How a message repeats a value the user gave: whole when short, otherwise its first <see cref="MaxCharacters"/>
/// characters and its length, so that a megabyte of garbage in a field or an argument gives a one-line message.
/// </summary>
internal static class Echo
{
    /// <summary>The most characters of a value a message repeats.</summary>
    public const int MaxCharacters = 40;

    /// <summary>The most characters of a key path (<c>venue.maintenanceMargin.BTC.tiers[0].rate</c>) a message repeats.</summary>
    public const int MaxKeyCharacters = 100;

    /// <summary>The most characters of a file path a message repeats (more than any file system takes).</summary>
    public const int MaxPathCharacters = 4096;

    /// <summary>The value in quotes: <c>'5x'</c>, or <c>'aaaa...' (1,048,576 characters)</c>.</summary>
    public static string Quote(string? text) =>
        text is null ? "nothing" : text.Length <= MaxCharacters ? $"'{text}'" : $"'{text[..MaxCharacters]}...' ({Count(text)} characters)";

    /// <summary>The value without quotes (a symbol, a name): <c>DOGE</c>, or <c>AAAA... (10,485,760 characters)</c>.</summary>
    public static string Clip(string? text) => Clip(text, MaxCharacters);

    /// <summary>A key path, cut at <see cref="MaxKeyCharacters"/>.</summary>
    public static string Key(string? key) => Clip(key, MaxKeyCharacters);

    /// <summary>A file path, cut at <see cref="MaxPathCharacters"/>.</summary>
    public static string Path(string? path) => Clip(path, MaxPathCharacters);

    private static string Clip(string? text, int max) =>
        text is null ? "nothing" : text.Length <= max ? text : $"{text[..max]}... ({Count(text)} characters)";

    private static string Count(string text) => text.Length.ToString("N0", CultureInfo.InvariantCulture);
}
