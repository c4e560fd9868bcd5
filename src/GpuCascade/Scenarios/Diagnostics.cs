using GpuCascade.Operations;

using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// Collects <see cref="ScenarioError"/>s. The range checks live here so the binder, the builder and the
/// validator word the same constraint the same way.
/// </summary>
internal sealed class Diagnostics
{
    private readonly List<ScenarioError> errors = new();

    public IReadOnlyList<ScenarioError> Errors => errors;
    public int Count => errors.Count;

    public void Add(string path, string message, ScenarioNode? at = null) =>
        errors.Add(new ScenarioError(path, message, at?.Line, at?.Column));

    public void AddRange(IEnumerable<ScenarioError> more) => errors.AddRange(more);

    public void ThrowIfAny()
    {
        if (errors.Count > 0) throw new ScenarioException(errors.ToList());
    }

    public bool Finite(string path, double value)
    {
        if (double.IsFinite(value)) return true;
        Add(path, $"must be a finite number, got {Format(value)}");
        return false;
    }

    /// <summary>value &gt; bound and finite.</summary>
    public bool Above(string path, double value, double bound) =>
        Finite(path, value) && Require(value > bound, path, $"must be > {Format(bound)}, got {Format(value)}");

    /// <summary>value &gt;= bound and finite.</summary>
    public bool AtLeast(string path, double value, double bound) =>
        Finite(path, value) && Require(value >= bound, path, $"must be >= {Format(bound)}, got {Format(value)}");

    public bool AtLeast(string path, long value, long bound) =>
        Require(value >= bound, path, $"must be >= {bound}, got {value}");

    /// <summary>An integer in [low, high], in the binder's words.</summary>
    public bool IntegerIn(string path, long value, long low, long high) =>
        Require(value >= low && value <= high, path, $"must be an integer in {low} .. {high}, got {value}");

    /// <summary>value in an interval, for example <c>InRange(p, v, 0, 1, lowClosed: false, highClosed: true)</c> for (0, 1].</summary>
    public bool InRange(string path, double value, double low, double high, bool lowClosed, bool highClosed)
    {
        if (!Finite(path, value)) return false;
        bool ok = (lowClosed ? value >= low : value > low) && (highClosed ? value <= high : value < high);
        string interval = $"{(lowClosed ? '[' : '(')}{Format(low)}, {Format(high)}{(highClosed ? ']' : ')')}";
        return Require(ok, path, $"must be in {interval}, got {Format(value)}");
    }

    /// <summary>A duration of a positive, finite length.</summary>
    public bool PositiveDuration(string path, Duration duration) =>
        Require(duration.Years > 0 && double.IsFinite(duration.Years), path,
            $"must be a positive duration, got {Echo.Quote(duration.Text ?? Format(duration.Years) + " years")}");

    public bool Require(bool condition, string path, string message)
    {
        if (!condition) Add(path, message);
        return condition;
    }
}
