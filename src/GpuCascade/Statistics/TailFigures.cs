using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace GpuCascade.Statistics;

/// <summary>
/// Figures by tail level, such as the VaR or ES of a loss at 95%, 99% and 99.9%, keyed by the level as a number:
/// <c>result.BadDebt.ExpectedShortfall[0.99]</c>. Levels are in ascending order. A level given as a number matches a
/// reported one when it equals it to within 1e-9, so <c>0.999</c> and <c>1 - 0.001</c> both find 99.9%; the JSON key's
/// spelling works too (<c>["0.99"]</c>). An absent level is a <see cref="KeyNotFoundException"/> that lists the levels
/// there are.
/// </summary>
/// <typeparam name="T">The figure: a number, or a <see cref="TailInterval"/>.</typeparam>
public sealed class TailFigures<T> : IReadOnlyDictionary<double, T>
{
    /// <summary>How far a level given as a number may lie from a reported level (the levels are far apart).</summary>
    private const double LevelTolerance = 1e-9;

    private readonly TailLevel[] _levels;
    private readonly T[] _values;

    /// <summary>Figures by level; any order, sorted here, each level once.</summary>
    /// <exception cref="ArgumentException">A level is given twice or is not in (0, 1).</exception>
    public TailFigures(IEnumerable<KeyValuePair<TailLevel, T>> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var sorted = figures.OrderBy(f => f.Key.Value).ToArray();
        for (int i = 0; i < sorted.Length; i++)
        {
            double a = sorted[i].Key.Value;
            if (!(a > 0 && a < 1)) throw new ArgumentException($"a tail level must be in (0, 1), got {sorted[i].Key.Key}", nameof(figures));
            if (i > 0 && a - sorted[i - 1].Key.Value <= LevelTolerance)
                throw new ArgumentException($"tail level {sorted[i].Key.Key} is given twice", nameof(figures));
        }
        _levels = [.. sorted.Select(f => f.Key)];
        _values = [.. sorted.Select(f => f.Value)];
    }

    /// <summary>No figures (a result built by hand without intervals).</summary>
    public static TailFigures<T> Empty { get; } = new([]);

    /// <summary>The levels, ascending.</summary>
    public IReadOnlyList<TailLevel> Levels => _levels;

    /// <summary>The figure at a level given as a number (0.95, 0.99, 0.999).</summary>
    /// <exception cref="KeyNotFoundException">No such level; the message lists the levels there are.</exception>
    public T this[double level] => TryGetValue(level, out var value) ? value : throw Missing(level.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The figure at a level spelt as in the JSON result ("0.99").</summary>
    /// <exception cref="KeyNotFoundException">No such level, or not a number; the message lists the levels there are.</exception>
    public T this[string level] => TryGetValue(level, out var value) ? value : throw Missing(level);

    /// <summary>The figure at <paramref name="level"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such level; the message lists the levels there are.</exception>
    public T this[TailLevel level] => this[level.Value];

    /// <summary>The figure at a level given as a number, if there is one.</summary>
    public bool TryGetValue(double level, [MaybeNullWhen(false)] out T value)
    {
        int i = IndexOf(level);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    /// <summary>The figure at a level spelt as in the JSON result ("0.99"), if there is one.</summary>
    public bool TryGetValue(string level, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(level);
        if (double.TryParse(level, NumberStyles.Float, CultureInfo.InvariantCulture, out double a)) return TryGetValue(a, out value);
        value = default;
        return false;
    }

    /// <summary>Whether there is a figure at a level given as a number.</summary>
    public bool ContainsKey(double key) => IndexOf(key) >= 0;

    /// <summary>The levels as numbers, ascending.</summary>
    public IEnumerable<double> Keys => _levels.Select(l => l.Value);

    /// <summary>The figures, by ascending level.</summary>
    public IEnumerable<T> Values => _values;

    /// <summary>Number of levels.</summary>
    public int Count => _levels.Length;

    /// <summary>(level, figure) by ascending level.</summary>
    public IEnumerator<KeyValuePair<double, T>> GetEnumerator()
    {
        for (int i = 0; i < _levels.Length; i++) yield return new(_levels[i].Value, _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>(level, figure) by ascending level, with the level as a <see cref="TailLevel"/> (whose
    /// <see cref="TailLevel.Key"/> is the JSON spelling).</summary>
    public IEnumerable<KeyValuePair<TailLevel, T>> ByLevel()
    {
        for (int i = 0; i < _levels.Length; i++) yield return new(_levels[i], _values[i]);
    }

    private int IndexOf(double level)
    {
        for (int i = 0; i < _levels.Length; i++)
            if (Math.Abs(_levels[i].Value - level) <= LevelTolerance) return i;
        return -1;
    }

    private KeyNotFoundException Missing(string level) => new(_levels.Length == 0
        ? $"no tail figure at level {level}: there are none"
        : $"no tail figure at level {level}: the levels are {string.Join(", ", _levels.Select(l => l.Key))}");
}
