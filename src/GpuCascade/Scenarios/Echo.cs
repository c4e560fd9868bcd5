namespace GpuCascade.Scenarios;

/// <summary>
/// How a message repeats a value the user gave: whole when short, otherwise its first <see cref="MaxCharacters"/>
/// characters and its length, so that a megabyte of garbage in a field or an argument gives a one-line message.
/// </summary>
internal static class Echo
{
    /// <summary>The most characters of a value a message repeats.</summary>
    public const int MaxCharacters = 40;

    /// <summary>The value in quotes: <c>'5x'</c>, or <c>'aaaa...' (1,048,576 characters)</c>.</summary>
    public static string Quote(string? text) =>
        text is null ? "nothing" : text.Length <= MaxCharacters ? $"'{text}'" : $"'{text[..MaxCharacters]}...' ({text.Length:N0} characters)";

    /// <summary>The value without quotes (a symbol, a name): <c>DOGE</c>, or <c>AAAA... (10,485,760 characters)</c>.</summary>
    public static string Clip(string? text) =>
        text is null ? "nothing" : text.Length <= MaxCharacters ? text : $"{text[..MaxCharacters]}... ({text.Length:N0} characters)";
}
