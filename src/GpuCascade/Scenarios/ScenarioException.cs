using GpuCascade.Operations;

namespace GpuCascade.Scenarios;

/// <summary>One problem with a scenario: where it is and what is wrong.</summary>
/// <param name="Path">Field path such as <c>assets[1].volatility</c>, or empty for a syntax error.</param>
/// <param name="Message">What is wrong, with the value found (for example <c>must be &gt;= 0, got -0.2</c>).</param>
/// <param name="Line">1-based line in the source file, when known.</param>
/// <param name="Column">1-based column in the source file, when known.</param>
public sealed record ScenarioError(string Path, string Message, int? Line = null, int? Column = null)
{
    /// <summary>The path as a message shows it: cut, like any echoed value, when a key in it is megabytes long.</summary>
    private string ShortPath => Path.Length <= 3 * Echo.MaxCharacters ? Path : Echo.Clip(Path);

    /// <summary><c>path: message</c>, with the line and column when known.</summary>
    public override string ToString()
    {
        string where = Line is int l ? $" (line {l}, column {Column ?? 0})" : "";
        return Path.Length == 0
            ? (Line is int l2 ? $"line {l2}, column {Column ?? 0}: {Message}" : Message)
            : $"{ShortPath}: {Message}{where}";
    }
}

/// <summary>A scenario could not be read or is invalid. <see cref="Exception.Message"/> lists every error, one per line.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception from its errors (at least one).</summary>
    public ScenarioException(IReadOnlyList<ScenarioError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        if (errors.Count == 0) throw new ArgumentException("at least one error", nameof(errors));
        Errors = errors;
    }

    /// <summary>Creates the exception from a single error.</summary>
    public ScenarioException(ScenarioError error) : this(new[] { error }) { }

    /// <summary>Every error found, in the order found.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }
}
