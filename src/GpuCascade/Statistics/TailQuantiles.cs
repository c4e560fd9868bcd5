namespace GpuCascade.Statistics;

/// <summary>A tail level a as an exact fraction (0.95 = 95/100), so that ceil(n a) is computed in integers.</summary>
public readonly record struct TailLevel(int Numerator, int Denominator)
{
    /// <summary>The levels the engine reports: 95%, 99%, 99.9%.</summary>
    public static readonly TailLevel[] Standard = [new(95, 100), new(99, 100), new(999, 1000)];

    /// <summary>The level as a number.</summary>
    public double Value => (double)Numerator / Denominator;

    /// <summary>The key used in reports: "0.95", "0.99", "0.999".</summary>
    public string Key => Value.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>ceil(n a).</summary>
    public long CeilTimes(long n) => (long)(((System.Numerics.BigInteger)n * Numerator + Denominator - 1) / Denominator);

    /// <summary>ceil(n (1 - a)) = n - floor(n a).</summary>
    public long CeilTimesComplement(long n) => n - (long)((System.Numerics.BigInteger)n * Numerator / Denominator);
}

/// <summary>
/// Exact upper tail: keeps the largest <see cref="Capacity"/> values, sorted descending. The largest K values of
/// a union are the largest K of the parts' largest K, so merging is exact and order-independent.
/// VaR_a is the ceil(n a)-th smallest of n values; ES_a the mean of the largest ceil(n (1 - a)).
/// </summary>
public sealed class TailQuantiles
{
    private double[] _values = [];

    /// <summary>A tail that keeps at most <paramref name="capacity"/> values.</summary>
    public TailQuantiles(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Values kept at most.</summary>
    public int Capacity { get; }

    /// <summary>The kept values, largest first.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The capacity needed for exact VaR and ES at <paramref name="levels"/> over <paramref name="n"/> values.</summary>
    public static int CapacityFor(long n, IEnumerable<TailLevel> levels)
    {
        long k = 0;
        foreach (var level in levels)
            k = Math.Max(k, Math.Max(n - level.CeilTimes(n) + 1, level.CeilTimesComplement(n)));
        return (int)Math.Min(k, n);
    }

    /// <summary>Replaces the content by the largest values of <paramref name="values"/> (a block's raw values).</summary>
    public void SetFrom(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        _values = sorted.Length > Capacity ? sorted[..Capacity] : sorted;
    }

    /// <summary>Keeps the largest values of this tail and <paramref name="other"/>.</summary>
    public void Merge(TailQuantiles other)
    {
        var a = _values;
        var b = other._values;
        var merged = new double[Math.Min(Capacity, a.Length + b.Length)];
        int i = 0, j = 0;
        for (int m = 0; m < merged.Length; m++)
            merged[m] = j >= b.Length || (i < a.Length && a[i] >= b[j]) ? a[i++] : b[j++];
        _values = merged;
    }

    /// <summary>VaR at <paramref name="level"/> over <paramref name="n"/> values: the ceil(n a)-th smallest; NaN if not kept.</summary>
    public double ValueAtRisk(TailLevel level, long n)
    {
        if (n <= 0) return double.NaN;
        long rankFromTop = n - level.CeilTimes(n) + 1;
        return rankFromTop >= 1 && rankFromTop <= _values.Length ? _values[rankFromTop - 1] : double.NaN;
    }

    /// <summary>Expected shortfall: the mean of the largest ceil(n (1 - a)) values; NaN if not kept.</summary>
    public double ExpectedShortfall(TailLevel level, long n)
    {
        if (n <= 0) return double.NaN;
        long m = level.CeilTimesComplement(n);
        if (m < 1 || m > _values.Length) return double.NaN;
        double sum = 0;
        for (int i = 0; i < m; i++) sum += _values[i];
        return sum / m;
    }
}
